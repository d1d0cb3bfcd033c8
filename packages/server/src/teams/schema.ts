import { builder } from "../builder";
import type { Team, User } from "../generated/prisma/client";
import { createTeam, listTeams } from "./service";

export const TeamRef = builder.objectRef<Team>("Team").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const UserRef = builder.objectRef<User>("User").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    email: t.exposeString("email"),
  }),
});

builder.queryField("teams", (t) =>
  t.field({
    type: [TeamRef],
    description: "All teams, by name.",
    resolve: (_root, _args, ctx) => listTeams(ctx.services),
  }),
);

const CreateTeamInput = builder.inputType("CreateTeamInput", {
  fields: (t) => ({ name: t.string({ required: true }) }),
});

builder.mutationField("createTeam", (t) =>
  t.field({
    type: TeamRef,
    args: { input: t.arg({ type: CreateTeamInput, required: true }) },
    resolve: (_root, { input }, ctx) => createTeam(ctx.services, input),
  }),
);
