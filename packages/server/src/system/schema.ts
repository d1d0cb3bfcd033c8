import type { InputLimits } from "@incident/shared";
import { builder } from "../builder";

const LimitsRef = builder.objectRef<InputLimits>("InputLimits").implement({
  description: "Maximum lengths of text inputs, in characters, as this server enforces them.",
  fields: (t) => ({
    title: t.exposeInt("title"),
    description: t.exposeInt("description"),
    text: t.exposeInt("text", { description: "Reasons, resolution summaries and comments." }),
    name: t.exposeInt("name", { description: "Team and category names, external references." }),
  }),
});

builder.queryField("limits", (t) =>
  t.field({
    type: LimitsRef,
    resolve: (_root, _args, ctx) => ctx.services.config.limits,
  }),
);

builder.queryField("lastEventId", (t) =>
  t.id({
    description:
      "Id of the newest committed event (0 when there is none). Read it with the first page and " +
      "pass it as `after` to incidentEvents, so nothing committed in between is missed.",
    resolve: async (_root, _args, ctx) => {
      const last = await ctx.services.prisma.incidentEvent.findFirst({
        orderBy: { id: "desc" },
        select: { id: true },
      });
      return (last?.id ?? 0n).toString();
    },
  }),
);
