import type pg from "pg";
import type { GraphQLClient } from "./http";
import { timeSequential } from "./load";
import { formatStatements, replayRead, withoutBusReads } from "./replay";
import { formatNumber, formatRatio, type Goal, type Section, type Table } from "./report";
import type { BenchServer, CapturedStatement } from "./server";
import { median, quantile } from "./stats";

export interface ReadCase {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** Whether the case counts toward the filtered-page goal. */
  filtered: boolean;
}

export interface ReadOptions {
  samples: number;
  rounds: number;
  warmup: number;
}

interface CaseResult {
  readCase: ReadCase;
  statements: CapturedStatement[];
  plan: string;
  matching: number | null;
  api: { p50: number[]; p95: number[] };
  sql: { p50: number[]; p95: number[] };
}

/** Shows the plan of the first statement, the one that reads the incidents table. */
async function explain(pool: pg.Pool, statement: CapturedStatement): Promise<string> {
  const result = await pool.query<{ "QUERY PLAN": string }>(
    `EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`,
    statement.values,
  );
  return result.rows.map((row) => row["QUERY PLAN"]).join("\n");
}

async function prepareCase(
  server: BenchServer,
  client: GraphQLClient,
  pool: pg.Pool,
  readCase: ReadCase,
  count: ((readCase: ReadCase) => Promise<number>) | null,
): Promise<CaseResult> {
  const captured = await server.capture(() => client.data(readCase.query, readCase.variables));
  const statements = withoutBusReads(captured);
  if (statements.length === 0) throw new Error(`${readCase.name}: no SQL captured`);
  return {
    readCase,
    statements,
    plan: await explain(pool, statements[0] as CapturedStatement),
    matching: count ? await count(readCase) : null,
    api: { p50: [], p95: [] },
    sql: { p50: [], p95: [] },
  };
}

/**
 * Times each read through HTTP and as the same SQL run directly with pg, one request at a
 * time. API and SQL requests alternate, so a burst of background load hits both.
 */
export async function measureReads(
  server: BenchServer,
  client: GraphQLClient,
  pool: pg.Pool,
  cases: ReadCase[],
  options: ReadOptions,
  count: ((readCase: ReadCase) => Promise<number>) | null = null,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const readCase of cases)
    results.push(await prepareCase(server, client, pool, readCase, count));

  const api = (r: CaseResult) => () => client.data(r.readCase.query, r.readCase.variables);
  const sql = (r: CaseResult) => () => replayRead(pool, r.statements);
  for (const result of results) {
    await timeSequential(options.warmup, api(result));
    await timeSequential(options.warmup, sql(result));
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const result of results) {
      const apiTimes: number[] = [];
      const sqlTimes: number[] = [];
      for (let i = 0; i < options.samples; i++) {
        apiTimes.push(...(await timeSequential(1, api(result))));
        sqlTimes.push(...(await timeSequential(1, sql(result))));
      }
      result.api.p50.push(median(apiTimes));
      result.api.p95.push(quantile(apiTimes, 0.95));
      result.sql.p50.push(median(sqlTimes));
      result.sql.p95.push(quantile(sqlTimes, 0.95));
    }
  }
  return results;
}

export function latencyTable(results: CaseResult[]): Table {
  return {
    headers: [
      "case",
      "matching rows",
      "API median ms",
      "API p95 ms",
      "SQL median ms",
      "SQL p95 ms",
      "API / SQL (median)",
    ],
    rows: results.map((r) => {
      const apiMedian = median(r.api.p50);
      const sqlMedian = median(r.sql.p50);
      return [
        r.readCase.name,
        r.matching === null ? "" : formatNumber(r.matching, 0),
        apiMedian,
        median(r.api.p95),
        sqlMedian,
        median(r.sql.p95),
        formatRatio(apiMedian / sqlMedian),
      ];
    }),
  };
}

export function readDetails(results: CaseResult[], heading: string): string {
  return results
    .map((r) =>
      [
        `<details><summary>${heading}: ${r.readCase.name}</summary>`,
        "",
        `Variables: \`${JSON.stringify(r.readCase.variables)}\``,
        "",
        formatStatements(r.statements),
        "",
        "EXPLAIN (ANALYZE, BUFFERS) of statement 1:",
        "",
        "```",
        r.plan,
        "```",
        "",
        "</details>",
      ].join("\n"),
    )
    .join("\n\n");
}

export function medianLatency(result: CaseResult, side: "api" | "sql"): number {
  return median(result[side].p50);
}

export type { CaseResult, Goal, Section };
