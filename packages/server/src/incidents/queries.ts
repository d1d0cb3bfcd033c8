import { builder } from "../builder";
import { invalid } from "../errors";
import type { IncidentFilter } from "./filter";
import { IncidentFilterInput, toFilter } from "./inputs";
import { IncidentRef } from "./schema";
import { getIncident } from "./service";
import { countIncidents, decodeCursor, encodeCursor, listIncidents } from "./store";
import type { IncidentView } from "./view";

const MAX_PAGE_SIZE = 100;

interface IncidentConnection {
  edges: { node: IncidentView; cursor: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  filter: IncidentFilter;
}

const PageInfoRef = builder.objectRef<IncidentConnection["pageInfo"]>("PageInfo").implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean("hasNextPage"),
    endCursor: t.exposeString("endCursor", { nullable: true }),
  }),
});

const IncidentEdgeRef = builder
  .objectRef<IncidentConnection["edges"][number]>("IncidentEdge")
  .implement({
    fields: (t) => ({
      node: t.expose("node", { type: IncidentRef }),
      cursor: t.exposeString("cursor"),
    }),
  });

const IncidentConnectionRef = builder
  .objectRef<IncidentConnection>("IncidentConnection")
  .implement({
    fields: (t) => ({
      edges: t.expose("edges", { type: [IncidentEdgeRef] }),
      pageInfo: t.expose("pageInfo", { type: PageInfoRef }),
      totalCount: t.int({
        description: "Incidents matching the filter; counted only when requested.",
        resolve: (connection, _args, ctx) => countIncidents(ctx.services.prisma, connection.filter),
      }),
    }),
  });

builder.queryField("incident", (t) =>
  t.field({
    type: IncidentRef,
    nullable: true,
    args: { key: t.arg.string({ required: true }) },
    resolve: (_root, { key }, ctx) => getIncident(ctx.services, key),
  }),
);

builder.queryField("incidents", (t) =>
  t.field({
    type: IncidentConnectionRef,
    description: "Incidents, newest detection first, ties broken by the key's number.",
    args: {
      filter: t.arg({ type: IncidentFilterInput, required: false }),
      first: t.arg.int({ required: false, defaultValue: 25 }),
      after: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const first = args.first ?? 25;
      if (first < 1 || first > MAX_PAGE_SIZE) {
        throw invalid("first", `first must be between 1 and ${MAX_PAGE_SIZE}; got ${first}`);
      }
      const cursor = args.after ? decodeCursor(args.after) : null;
      if (args.after && !cursor) throw invalid("after", "after is not a cursor of this connection");

      const filter = toFilter(args.filter);
      const rows = await listIncidents(ctx.services.prisma, filter, first + 1, cursor);
      const page = rows.slice(0, first);
      const edges = page.map((node) => ({ node, cursor: encodeCursor(node) }));
      return {
        edges,
        pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
        filter,
      };
    },
  }),
);
