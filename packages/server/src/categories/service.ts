import { checkText } from "@incident/shared";
import { DomainError, notFound, unwrap } from "../errors";
import type { Category } from "../generated/prisma/client";
import type { ServiceContext } from "../incidents/service";

export async function listCategories(ctx: ServiceContext): Promise<Category[]> {
  return ctx.prisma.category.findMany({ orderBy: { name: "asc" } });
}

/** Creates a category routed to its default team; names are unique, case-insensitively. */
export async function createCategory(
  ctx: ServiceContext,
  input: { name: string; defaultTeamId: number | null },
): Promise<Category> {
  const name = unwrap(
    checkText("name", input.name, ctx.config.limits.name, {
      required: true,
      singleLine: true,
    }),
  );
  if (input.defaultTeamId !== null) {
    const team = await ctx.prisma.team.findUnique({ where: { id: input.defaultTeamId } });
    if (!team) throw notFound("defaultTeamId", "team", input.defaultTeamId);
  }
  const existing = await ctx.prisma.category.findFirst({
    where: { name: { equals: name, mode: "insensitive" } },
  });
  if (existing) {
    throw new DomainError("CONFLICT", "name", `a category named ${existing.name} already exists`);
  }
  return ctx.prisma.category.create({ data: { name, defaultTeamId: input.defaultTeamId } });
}

/** Returns the category with the name, creating it routed to the team on first sight. */
export async function ensureCategory(
  ctx: ServiceContext,
  name: string,
  defaultTeamId: number | null,
): Promise<Category> {
  return ctx.prisma.category.upsert({
    where: { name },
    create: { name, defaultTeamId },
    update: {},
  });
}
