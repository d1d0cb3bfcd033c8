import { checkText } from "@incident/shared";
import { DomainError, unwrap } from "../errors";
import type { Team } from "../generated/prisma/client";
import type { ServiceContext } from "../incidents/service";

export async function listTeams(ctx: ServiceContext): Promise<Team[]> {
  return ctx.prisma.team.findMany({ orderBy: { name: "asc" } });
}

/** Creates a team; names are unique, compared case-insensitively. */
export async function createTeam(ctx: ServiceContext, input: { name: string }): Promise<Team> {
  const name = unwrap(
    checkText("name", input.name, ctx.config.limits.name, {
      required: true,
      singleLine: true,
    }),
  );
  const existing = await ctx.prisma.team.findFirst({
    where: { name: { equals: name, mode: "insensitive" } },
  });
  if (existing) {
    throw new DomainError("CONFLICT", "name", `a team named ${existing.name} already exists`);
  }
  return ctx.prisma.team.create({ data: { name } });
}

/** Returns the team with the name, creating it on first sight (used by importers). */
export async function ensureTeam(ctx: ServiceContext, name: string): Promise<Team> {
  return ctx.prisma.team.upsert({ where: { name }, create: { name }, update: {} });
}
