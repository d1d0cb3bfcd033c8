import type {
  Cache,
  CacheExchangeOpts,
  Data,
  FieldInfo,
  UpdateResolver,
} from "@urql/exchange-graphcache";
import type { IncidentFilterInput } from "../filters/filter";
import {
  BoardPageDocument,
  type BoardPageQuery,
  type BoardPageQueryVariables,
} from "../gql/graphql";
import {
  type FieldChange,
  type ListEdit,
  type ListedIncident,
  planListEdit,
  previousState,
} from "./lists";

/** Types without an id, which the cache stores inside the entity or field that contains them. */
const EMBEDDED_TYPES = [
  "IncidentConnection",
  "IncidentEdge",
  "PageInfo",
  "FieldChange",
  "Kpis",
  "DurationSummary",
  "SlaSummary",
  "StatusCount",
  "PriorityCount",
  "CategoryCount",
  "TeamCount",
];

/** Mutations that return the changed incident. */
export const INCIDENT_MUTATIONS = [
  "createIncident",
  "categorizeIncident",
  "prioritizeIncident",
  "acknowledgeIncident",
  "assignIncident",
  "escalateIncident",
  "holdIncident",
  "resolveIncident",
  "closeIncident",
  "reopenIncident",
  "cancelIncident",
  "addComment",
] as const;

interface LoadedPage {
  variables: BoardPageQueryVariables;
  data: BoardPageQuery;
}

/**
 * Returns the cached pages of each filtered list, each list's pages in order: the first page
 * has no `after`, and each next page starts at the end cursor of the one before.
 */
function cachedLists(cache: Cache): LoadedPage[][] {
  const byFilter = new Map<string, LoadedPage[]>();
  const fields = cache.inspectFields("Query").filter((field) => field.fieldName === "incidents");
  for (const field of fields) {
    const variables = (field.arguments ?? {}) as BoardPageQueryVariables;
    const data = cache.readQuery({ query: BoardPageDocument, variables }) as BoardPageQuery | null;
    if (!data) continue;
    const key = JSON.stringify(variables.filter ?? null);
    byFilter.set(key, [...(byFilter.get(key) ?? []), { variables, data }]);
  }
  return [...byFilter.values()].map(chainPages);
}

function chainPages(pages: LoadedPage[]): LoadedPage[] {
  const ordered: LoadedPage[] = [];
  let after: string | null = null;
  for (;;) {
    const next = pages.find((page) => (page.variables.after ?? null) === after);
    if (!next || ordered.includes(next)) break;
    ordered.push(next);
    after = next.data.incidents.pageInfo.endCursor ?? null;
    if (after === null) break;
  }
  return ordered;
}

function nodesOf(page: LoadedPage): ListedIncident[] {
  return page.data.incidents.edges.map((edge) => edge.node as unknown as ListedIncident);
}

function applyEdit(cache: Cache, pages: LoadedPage[], edit: ListEdit, incident: Data) {
  for (const [index, page] of pages.entries()) {
    cache.updateQuery({ query: BoardPageDocument, variables: page.variables }, (cached) => {
      const data = cached as BoardPageQuery | null;
      if (!data) return data;
      const edges = [...data.incidents.edges];
      if (index === (edit.kind === "count" ? -1 : edit.page)) {
        if (edit.kind === "insert") {
          const edge = { __typename: "IncidentEdge", node: incident };
          edges.splice(edit.index, 0, edge as unknown as (typeof edges)[number]);
        } else if (edit.kind === "remove") {
          edges.splice(edit.index, 1);
        }
      }
      const totalCount = Math.max(0, data.incidents.totalCount + edit.countDelta);
      return { ...data, incidents: { ...data.incidents, edges, totalCount } };
    });
  }
}

/**
 * Moves an incident into or out of every cached list after it changed, and adjusts each
 * list's total count, without a refetch. `previous` is its state before the change: null for
 * a new incident, undefined when unknown (after a mutation, whose event follows).
 */
export function syncIncidentLists(cache: Cache, incident: Data, previous?: ListedIncident | null) {
  const listed = incident as unknown as ListedIncident;
  for (const pages of cachedLists(cache)) {
    const filter = (pages[0]?.variables.filter ?? null) as IncidentFilterInput | null;
    const plan = pages.map((page) => ({
      nodes: nodesOf(page),
      hasNextPage: page.data.incidents.pageInfo.hasNextPage,
    }));
    const edit = planListEdit(plan, listed, filter, previous);
    if (edit) applyEdit(cache, pages, edit, incident);
  }
}

function eventNumber(cache: Cache, key: string): number {
  return Number(cache.resolve(key, "id"));
}

/** Adds an event to its incident's cached timeline, if the timeline is cached, in id order. */
export function appendToTimeline(cache: Cache, incidentId: string, eventId: string) {
  const incidentKey = cache.keyOfEntity({ __typename: "Incident", id: incidentId });
  const eventKey = cache.keyOfEntity({ __typename: "IncidentEvent", id: eventId });
  if (!incidentKey || !eventKey) return;
  const timeline = cache.resolve(incidentKey, "timeline");
  if (!Array.isArray(timeline)) return;

  const keys = timeline.filter((key): key is string => typeof key === "string");
  if (keys.includes(eventKey)) return;
  const sorted = [...keys, eventKey].sort((a, b) => eventNumber(cache, a) - eventNumber(cache, b));
  cache.link(incidentKey, "timeline", sorted);
}

/** Drops every cached KPI result, so the KPIs on screen are fetched again. */
export function invalidateKpis(cache: Cache) {
  for (const field of cache.inspectFields("Query")) {
    if (field.fieldName === "kpis") invalidateField(cache, field);
  }
}

function invalidateField(cache: Cache, field: FieldInfo) {
  cache.invalidate("Query", field.fieldName, field.arguments ?? undefined);
}

interface EventData {
  id: string;
  type: string;
  changes?: FieldChange[];
  incident?: Data & { id: string };
}

const incidentEventUpdate: UpdateResolver = (result, _args, cache) => {
  const event = result.incidentEvents as EventData | null | undefined;
  if (!event?.incident) return;

  const incident = event.incident;
  const listed = incident as unknown as ListedIncident;
  const previous = event.type === "CREATED" ? null : previousState(listed, event.changes ?? []);
  syncIncidentLists(cache, incident, previous);
  appendToTimeline(cache, incident.id, event.id);
  invalidateKpis(cache);
};

function mutationUpdate(field: string): UpdateResolver {
  return (result, _args, cache) => {
    const incident = result[field] as Data | null | undefined;
    if (incident) syncIncidentLists(cache, incident);
  };
}

/** The normalized cache: keys, and the updates that keep lists live without refetching. */
export const cacheConfig: CacheExchangeOpts = {
  keys: Object.fromEntries(EMBEDDED_TYPES.map((type) => [type, () => null])),
  updates: {
    Mutation: Object.fromEntries(INCIDENT_MUTATIONS.map((field) => [field, mutationUpdate(field)])),
    Subscription: { incidentEvents: incidentEventUpdate },
  },
};
