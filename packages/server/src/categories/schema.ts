import { builder } from "../builder";
import { parseId } from "../errors";
import type { Category } from "../generated/prisma/client";
import { TeamRef } from "../teams/schema";
import { createCategory, listCategories } from "./service";

export const CategoryRef = builder.objectRef<Category>("Category").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    defaultTeam: t.field({
      type: TeamRef,
      nullable: true,
      description: "Team that a newly categorized incident is routed to.",
      resolve: (category, _args, ctx) =>
        category.defaultTeamId === null ? null : ctx.loaders.team.load(category.defaultTeamId),
    }),
  }),
});

builder.queryField("categories", (t) =>
  t.field({
    type: [CategoryRef],
    description: "The managed list of categories, by name.",
    resolve: (_root, _args, ctx) => listCategories(ctx.services),
  }),
);

const CreateCategoryInput = builder.inputType("CreateCategoryInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    defaultTeamId: t.id({ required: false }),
  }),
});

builder.mutationField("createCategory", (t) =>
  t.field({
    type: CategoryRef,
    args: { input: t.arg({ type: CreateCategoryInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      createCategory(ctx.services, {
        name: input.name,
        defaultTeamId:
          input.defaultTeamId == null ? null : parseId("defaultTeamId", input.defaultTeamId),
      }),
  }),
);
