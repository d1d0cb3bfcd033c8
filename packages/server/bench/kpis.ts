import type pg from "pg";
import type { GraphQLClient } from "./http";
import type { Catalog } from "./list";
import { latencyTable, measureReads, type ReadCase, type ReadOptions, readDetails } from "./reads";
import type { Section } from "./report";
import type { BenchServer } from "./server";

const KPI_QUERY = `query Kpis($filter: IncidentFilter) {
  kpis(filter: $filter) {
    total cancelled
    timeToAcknowledge { count mean median p90 }
    timeToResolve { count mean median p90 }
    timeToClose { count mean median p90 }
    byStatus { status count } byPriority { priority count }
    byCategory { categoryId count } byTeam { teamId count }
    acknowledgeSla { measured breached rate } resolveSla { measured breached rate }
    escalated escalationRate reopened reopenCount reopenRate
  }
}`;

function kpiCases(catalog: Catalog, now: Date): ReadCase[] {
  const team = catalog.teams.find((t) => t.name === "Service Desk");
  if (!team) throw new Error('team "Service Desk" is missing; the standard teams changed');
  const from = new Date(now.getTime() - 90 * 24 * 3600 * 1000).toISOString();
  return [
    { name: "no filter", query: KPI_QUERY, variables: { filter: null }, filtered: false },
    {
      name: "team Service Desk, detected in the last 90 days",
      query: KPI_QUERY,
      variables: { filter: { teamId: [team.id], detectedFrom: from } },
      filtered: true,
    },
    {
      name: "priority P1 or P2",
      query: KPI_QUERY,
      variables: { filter: { priority: ["P1", "P2"] } },
      filtered: true,
    },
  ];
}

/** Measures the kpis query against its own SQL, run directly. */
export async function benchmarkKpis(
  server: BenchServer,
  client: GraphQLClient,
  pool: pg.Pool,
  catalog: Catalog,
  incidents: number,
  options: ReadOptions,
): Promise<Section> {
  const results = await measureReads(server, client, pool, kpiCases(catalog, new Date()), options);
  return {
    title: `kpis(filter) at ${incidents.toLocaleString("en-US")} incidents`,
    intro: [
      `Measured like the incident list: one request at a time, ${options.samples} per case ` +
        `and side in each of ${options.rounds} rounds, API and SQL alternating, medians over ` +
        "rounds. The query asks for every KPI field. The SQL side runs the captured " +
        "statements: the summary with percentile_cont, then the four breakdowns (status, " +
        "priority, category, team) at once, as the service does. No goal is stated for KPIs.",
    ].join("\n"),
    tables: [latencyTable(results)],
    goals: [],
    details: readDetails(results, "SQL and plan"),
  };
}
