import type pg from "pg";
import type { GraphQLClient } from "./http";
import {
  latencyTable,
  measureReads,
  medianLatency,
  type ReadCase,
  type ReadOptions,
  readDetails,
} from "./reads";
import type { Section } from "./report";
import type { BenchServer } from "./server";

/** Goal stated by the product for a filtered first page at 100,000 incidents. */
const GOAL_MS = 20;

const BOARD_QUERY = `query Board($filter: IncidentFilter) {
  incidents(filter: $filter, first: 25) {
    edges {
      cursor
      node {
        key title status priority detectedAt acknowledgedAt escalationLevel
        category { id name } team { id name } manager { name }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

const COUNT_QUERY = `query Count($filter: IncidentFilter) {
  incidents(filter: $filter, first: 1) { totalCount }
}`;

export interface Catalog {
  teams: { id: string; name: string }[];
  categories: { id: string; name: string }[];
}

export async function loadCatalog(client: GraphQLClient): Promise<Catalog> {
  return client.data<Catalog>("{ teams { id name } categories { id name } }");
}

function idOf(list: { id: string; name: string }[], name: string): string {
  const found = list.find((entry) => entry.name === name);
  if (!found) throw new Error(`"${name}" is missing; the standard categories and teams changed`);
  return found.id;
}

export function listCases(catalog: Catalog): ReadCase[] {
  const page = (name: string, filter: Record<string, unknown> | null): ReadCase => ({
    name,
    query: BOARD_QUERY,
    variables: { filter },
    filtered: filter !== null,
  });
  return [
    page("no filter", null),
    page("status: the 4 open statuses", {
      status: ["IDENTIFIED", "CATEGORIZED", "PRIORITIZED", "RESPONDING"],
    }),
    page("priority P1 + team Security Operations", {
      priority: ["P1"],
      teamId: [idOf(catalog.teams, "Security Operations")],
    }),
    page("category Email", { categoryId: [idOf(catalog.categories, "Email")] }),
    page('search "certificate"', { search: "certificate" }),
    page("status CLOSED + category Access", {
      status: ["CLOSED"],
      categoryId: [idOf(catalog.categories, "Access")],
    }),
  ];
}

/** Measures the first page of the board query with several filters against its own SQL. */
export async function benchmarkList(
  server: BenchServer,
  client: GraphQLClient,
  pool: pg.Pool,
  catalog: Catalog,
  incidents: number,
  options: ReadOptions,
): Promise<Section> {
  const cases = listCases(catalog);
  const count = async (readCase: ReadCase) => {
    const data = await client.data<{ incidents: { totalCount: number } }>(
      COUNT_QUERY,
      readCase.variables,
    );
    return data.incidents.totalCount;
  };
  const results = await measureReads(server, client, pool, cases, options, count);

  const goals = results
    .filter((r) => r.readCase.filtered)
    .map((r) => {
      const ms = medianLatency(r, "api");
      return {
        text: `first page "${r.readCase.name}" under ${GOAL_MS} ms median through HTTP`,
        met: ms < GOAL_MS,
        detail: `${ms.toFixed(1)} ms at ${incidents.toLocaleString("en-US")} incidents`,
      };
    });

  return {
    title: `incidents(filter, first: 25) at ${incidents.toLocaleString("en-US")} incidents`,
    intro: [
      `One request at a time; ${options.samples} requests per case and side in each of ` +
        `${options.rounds} rounds (after ${options.warmup} warm-up requests), API and SQL ` +
        "alternating. Each figure is the median over rounds of that round's median or 95th " +
        "percentile. The query asks for what a board shows (key, title, status, priority, " +
        "times, category, team, manager) and pageInfo, without totalCount.",
      "",
      "The SQL side runs the statements the server sent for that request, captured at the pg " +
        "client in the server process, with the same values: the page query, then the four " +
        "relation loads at once on separate pool connections, as Prisma runs them. Matching " +
        "rows is totalCount for the filter, counted once outside the timings.",
    ].join("\n"),
    tables: [latencyTable(results)],
    goals,
    details: readDetails(results, "SQL and plan"),
  };
}
