import pg from "pg";
import type { GraphQLClient } from "./http";
import { runConcurrent } from "./load";
import { processCpuSeconds } from "./machine";
import { formatStatements, runStatement } from "./replay";
import { formatNumber, formatRatio, type Section } from "./report";
import type { BenchServer, CapturedStatement } from "./server";
import { median } from "./stats";
import { sampleWaits, type WaitSample } from "./waits";

export interface CreateOptions {
  concurrencies: number[];
  requests: number;
  rounds: number;
  warmupRequests: number;
  /** Pool size of the raw baselines. The server's pool (src/db/database.ts) has 10 connections. */
  connections: number;
}

const CREATE_MUTATION = `mutation Create($input: CreateIncidentInput!) {
  createIncident(input: $input) { key status }
}`;

const INPUT = {
  title: "Checkout API returns HTTP 503 for some users",
  description:
    "Monitoring shows elevated 503 responses from the checkout API since 10:42 UTC. About 3% of " +
    "requests fail; the payment provider reports no incident on its side.",
};

/** First key number of the plain INSERT baseline, far above what the counter reaches here. */
const RAW_NUMBER_BASE = 1_000_000_000;

/** The statements of one createIncident transaction, BEGIN to COMMIT, and how to refill them. */
interface CreateTemplate {
  transaction: CapturedStatement[];
  insertIncident: CapturedStatement;
  numberIndex: number;
  keyIndex: number;
}

function columnsOf(statement: CapturedStatement): string[] {
  const match = /\(([^)]*)\)\s*VALUES/.exec(statement.text);
  if (!match?.[1]) throw new Error(`INSERT without a column list: ${statement.text.slice(0, 120)}`);
  return match[1].split(",").map((column) => column.trim().replaceAll('"', ""));
}

function isCounter(statement: CapturedStatement, name: string): boolean {
  return /UPDATE counters/.test(statement.text) && statement.values.includes(name);
}

const INSERT_INCIDENT = /^INSERT INTO "public"\."incidents"/;
const INSERT_EVENT = /^INSERT INTO "public"\."incident_events"/;
const SELECT_INCIDENT_BY_ID = /FROM "public"\."incidents" WHERE "public"\."incidents"\."id" = \$1/;

/** Cuts the createIncident transaction out of a capture and checks that it looks as expected. */
function templateFrom(captured: CapturedStatement[]): CreateTemplate {
  const begin = captured.findIndex((s) => s.text === "BEGIN");
  if (begin < 0) throw new Error("no BEGIN in the createIncident capture");
  const connection = captured[begin]?.connection;
  const sameConnection = captured.slice(begin).filter((s) => s.connection === connection);
  const commit = sameConnection.findIndex((s) => s.text === "COMMIT");
  if (commit < 0) throw new Error("no COMMIT after BEGIN in the createIncident capture");
  const transaction = sameConnection.slice(0, commit + 1);

  const insertIncident = transaction.find((s) => INSERT_INCIDENT.test(s.text));
  if (!insertIncident) throw new Error("no INSERT INTO incidents in the createIncident capture");
  const columns = columnsOf(insertIncident);
  const numberIndex = columns.indexOf("number");
  const keyIndex = columns.indexOf("key");
  if (numberIndex < 0 || keyIndex < 0) throw new Error("INSERT INTO incidents lacks number or key");
  for (const name of ["incident", "event"]) {
    if (!transaction.some((s) => isCounter(s, name))) {
      throw new Error(`the createIncident capture does not take the ${name} counter`);
    }
  }
  const insertEvent = transaction.find((s) => INSERT_EVENT.test(s.text));
  if (!insertEvent) throw new Error("no INSERT INTO incident_events in the createIncident capture");
  const eventColumns = columnsOf(insertEvent);
  if (!eventColumns.includes("id") || !eventColumns.includes("incident_id")) {
    throw new Error("INSERT INTO incident_events lacks id or incident_id");
  }
  return { transaction, insertIncident, numberIndex, keyIndex };
}

function incidentValues(template: CreateTemplate, number: number): unknown[] {
  const values = [...template.insertIncident.values];
  values[template.numberIndex] = number;
  values[template.keyIndex] = `INC-${number}`;
  return values;
}

function eventValues(statement: CapturedStatement, eventId: bigint, incidentId: unknown) {
  const columns = columnsOf(statement);
  const values = [...statement.values];
  values[columns.indexOf("id")] = eventId.toString();
  values[columns.indexOf("incident_id")] = incidentId;
  return values;
}

function firstCell(result: pg.QueryResult<unknown[]>): unknown {
  return result.rows[0]?.[0];
}

/**
 * Replays statements of the template on one connection in order, refilling the number, key,
 * incident id and event id from what the counters and the INSERT return.
 */
async function replayTransaction(
  client: pg.PoolClient,
  template: CreateTemplate,
  statements: CapturedStatement[],
): Promise<void> {
  let incidentId: unknown = null;
  let number = 0;
  let eventId = 0n;
  try {
    for (const statement of statements) {
      let values = statement.values;
      if (statement === template.insertIncident) values = incidentValues(template, number);
      else if (INSERT_EVENT.test(statement.text)) {
        values = eventValues(statement, eventId, incidentId);
      } else if (SELECT_INCIDENT_BY_ID.test(statement.text)) {
        values = [incidentId, ...statement.values.slice(1)];
      }
      const result = await runStatement(client, statement, values);
      if (isCounter(statement, "incident")) number = Number(firstCell(result));
      else if (isCounter(statement, "event")) eventId = BigInt(firstCell(result) as string);
      else if (statement === template.insertIncident) incidentId = firstCell(result);
    }
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

type Variant = "api" | "insert" | "transaction" | "noFlush" | "replay";

const VARIANTS: Variant[] = ["api", "insert", "transaction", "noFlush", "replay"];

const VARIANT_LABELS: Record<Variant, string> = {
  api: "API: createIncident over HTTP",
  insert: "baseline A: one INSERT INTO incidents",
  transaction: "baseline B: counters + incident + event + NOTIFY in one transaction",
  noFlush: "diagnostic: B with synchronous_commit = off",
  replay: "baseline C: the API's own statements, replayed with pg",
};

type Runners = Record<Variant, (index: number) => Promise<unknown>>;

/** The statements of baseline B: the writes createIncident must make, in its order. */
function coreStatements(template: CreateTemplate): CapturedStatement[] {
  return template.transaction.filter(
    (s) =>
      s.text === "BEGIN" ||
      s.text === "COMMIT" ||
      /UPDATE counters/.test(s.text) ||
      s === template.insertIncident ||
      INSERT_EVENT.test(s.text) ||
      /pg_notify/.test(s.text),
  );
}

function makeRunners(
  client: GraphQLClient,
  pools: { normal: pg.Pool; noFlush: pg.Pool },
  template: CreateTemplate,
): Runners {
  let rawNumber = RAW_NUMBER_BASE;
  const core = coreStatements(template);
  const inTransaction = async (pool: pg.Pool, statements: CapturedStatement[]) => {
    const connection = await pool.connect();
    try {
      await replayTransaction(connection, template, statements);
    } finally {
      connection.release();
    }
  };
  return {
    api: () => client.data(CREATE_MUTATION, { input: INPUT }),
    insert: () =>
      runStatement(pools.normal, template.insertIncident, incidentValues(template, rawNumber++)),
    transaction: () => inTransaction(pools.normal, core),
    noFlush: () => inTransaction(pools.noFlush, core),
    replay: () => inTransaction(pools.normal, template.transaction),
  };
}

interface Run {
  opsPerSecond: number;
  /** CPU time of the server process over wall time, in percent of one core. */
  serverCpu: number;
  waits: WaitSample;
}

interface Measurements {
  runs: Map<string, Run[]>;
  errors: number;
  firstError: string | null;
}

async function measure(
  server: BenchServer,
  runners: Runners,
  databaseUrl: string,
  options: CreateOptions,
): Promise<Measurements> {
  const measured: Measurements = { runs: new Map(), errors: 0, firstError: null };
  for (const concurrency of options.concurrencies) {
    for (const variant of VARIANTS) {
      await runConcurrent(options.warmupRequests, concurrency, runners[variant]);
    }
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const concurrency of options.concurrencies) {
      for (const variant of VARIANTS) {
        const cpuBefore = processCpuSeconds(server.pid);
        const { result, waits } = await sampleWaits(databaseUrl, 25, () =>
          runConcurrent(options.requests, concurrency, runners[variant]),
        );
        const cpu = processCpuSeconds(server.pid) - cpuBefore;
        measured.errors += result.errors;
        measured.firstError ??= result.firstError;
        const key = `${variant}@${concurrency}`;
        const run = {
          opsPerSecond: result.opsPerSecond,
          serverCpu: (cpu / result.seconds) * 100,
          waits,
        };
        measured.runs.set(key, [...(measured.runs.get(key) ?? []), run]);
      }
    }
  }
  return measured;
}

/**
 * Measures createIncident throughput through HTTP against raw pg writes of the same rows, at
 * each concurrency, interleaving the variants in every round so that noise hits them alike.
 */
export async function benchmarkCreate(
  server: BenchServer,
  client: GraphQLClient,
  databaseUrl: string,
  options: CreateOptions,
): Promise<Section> {
  const captured = await server.capture(() => client.data(CREATE_MUTATION, { input: INPUT }));
  const template = templateFrom(captured);
  const pools = {
    normal: new pg.Pool({ connectionString: databaseUrl, max: options.connections }),
    noFlush: new pg.Pool({
      connectionString: databaseUrl,
      max: options.connections,
      options: "-c synchronous_commit=off",
    }),
  };
  try {
    const runners = makeRunners(client, pools, template);
    const measured = await measure(server, runners, databaseUrl, options);
    return createSection(measured, template, options);
  } finally {
    await Promise.all([pools.normal.end(), pools.noFlush.end()]);
  }
}

function createSection(
  measured: Measurements,
  template: CreateTemplate,
  options: CreateOptions,
): Section {
  const rows = [];
  const goals = [];
  for (const concurrency of options.concurrencies) {
    const runsOf = (variant: Variant) => measured.runs.get(`${variant}@${concurrency}`) ?? [];
    const api = runsOf("api").map((run) => run.opsPerSecond);
    // Per-round ratios pair runs that saw the same background load.
    const ratioTo = (variant: Variant) =>
      median(runsOf(variant).map((run, i) => (api[i] ?? Number.NaN) / run.opsPerSecond));
    for (const variant of VARIANTS) {
      const runs = runsOf(variant);
      const rates = runs.map((run) => run.opsPerSecond);
      rows.push([
        String(concurrency),
        VARIANT_LABELS[variant],
        median(rates),
        Math.min(...rates),
        Math.max(...rates),
        variant === "api" ? "" : formatRatio(ratioTo(variant)),
        median(runs.map((run) => run.serverCpu)),
        formatNumber(median(runs.map((run) => run.waits.active)), 2),
        formatNumber(median(runs.map((run) => run.waits.lock)), 2),
        formatNumber(median(runs.map((run) => run.waits.wal)), 2),
      ]);
    }
    const ratio = ratioTo("insert");
    goals.push({
      text:
        `createIncident at concurrency ${concurrency} reaches at least half the throughput ` +
        "of baseline A",
      met: ratio >= 0.5,
      detail:
        `API ${median(api).toFixed(0)} ops/s, ${formatRatio(ratio)} of A; ` +
        `${formatRatio(ratioTo("transaction"))} of B`,
    });
  }
  const core = coreStatements(template);
  return {
    title: "createIncident throughput",
    intro: `${createIntro(measured, options)}\n\n${observations(measured, template, options)}`,
    tables: [
      {
        headers: [
          "concurrency",
          "variant",
          "median ops/s",
          "min",
          "max",
          "API / variant",
          "server CPU %",
          "active backends",
          "waiting on a lock",
          "waiting on WAL flush",
        ],
        rows,
      },
    ],
    goals,
    details: [
      "SQL of one createIncident, as the server sent it to PostgreSQL (captured at the pg " +
        "client in the server process). Baseline B runs statements " +
        `${core.map((s) => template.transaction.indexOf(s) + 1).join(", ")} of it; baseline A ` +
        `runs statement ${template.transaction.indexOf(template.insertIncident) + 1} alone.`,
      "",
      formatStatements(template.transaction),
    ].join("\n"),
  };
}

/** States what the wait samples and the diagnostic show, from this run's figures. */
function observations(
  measured: Measurements,
  template: CreateTemplate,
  options: CreateOptions,
): string {
  const counters = template.transaction
    .map((statement, index) => (/UPDATE counters/.test(statement.text) ? index + 1 : null))
    .filter((index) => index !== null);
  const parts = options.concurrencies.map((concurrency) => {
    const runs = (variant: Variant) => measured.runs.get(`${variant}@${concurrency}`) ?? [];
    const wait = (variant: Variant, pick: (w: WaitSample) => number) =>
      formatNumber(median(runs(variant).map((run) => pick(run.waits))), 1);
    const rate = (variant: Variant) => median(runs(variant).map((run) => run.opsPerSecond));
    return (
      `at concurrency ${concurrency}, ${wait("api", (w) => w.lock)} of ` +
      `${wait("api", (w) => w.active)} active backends waited on a lock during the API runs ` +
      `and ${wait("transaction", (w) => w.lock)} of ${wait("transaction", (w) => w.active)} ` +
      `during baseline B, against ${wait("insert", (w) => w.lock)} during baseline A; ` +
      "without the WAL flush at COMMIT, B ran " +
      `${formatRatio(rate("noFlush") / rate("transaction"))} as fast`
    );
  });
  return (
    `Reading the figures: the counter rows (statements ${counters.join(" and ")} below) stay ` +
    "locked from their UPDATE to COMMIT, so concurrent creates queue behind each other for " +
    "the rest of the transaction, the WAL flush at COMMIT included. " +
    `In this run, ${parts.join("; ")}.`
  );
}

function createIntro(measured: Measurements, options: CreateOptions): string {
  return [
    `${options.requests} requests per variant and concurrency in each of ${options.rounds} ` +
      `rounds (after ${options.warmupRequests} warm-up requests each), on a fresh database ` +
      "that grows as the rounds go on. The API runs in a child process with its pool of 10 " +
      "PostgreSQL connections; the baselines run in the benchmark process on pg pools of " +
      `${options.connections}. Variants alternate inside each round.`,
    "",
    `- **${VARIANT_LABELS.insert}**: Prisma's own INSERT statement and values, autocommit, ` +
      "with key numbers from a local sequence. The goal compares the API with this baseline.",
    `- **${VARIANT_LABELS.transaction}**: BEGIN, take the incident counter, INSERT the ` +
      "incident, take the event counter, INSERT the CREATED event, pg_notify, COMMIT: the " +
      "writes that createIncident makes, in its order, and nothing else.",
    `- **${VARIANT_LABELS.noFlush}**: baseline B on connections that do not wait for the WAL ` +
      "flush at COMMIT. Not a baseline: it shows how much of B's time is spent holding the " +
      "counter row locks while COMMIT waits for the disk.",
    `- **${VARIANT_LABELS.replay}**: every statement of the captured createIncident ` +
      "transaction in order on one connection, including the reads that rebuild the " +
      "incident with its relations. What remains between this and the API is Prisma, " +
      "GraphQL and HTTP.",
    "",
    "API / variant is API ops/s divided by the variant's ops/s, the median of the per-round " +
      "ratios. Server CPU % is the CPU time of the server process over the run's wall time " +
      "(100 = one core); during the baselines it is the event bus reading the events that B " +
      "and C announce. The last three columns are the mean number of backends of the " +
      "database that pg_stat_activity showed running a statement, waiting for a lock " +
      "(wait_event_type Lock) and waiting for the WAL flush (WALSync, WALWrite), sampled " +
      `every 25 ms. Errors: ${measured.errors}` +
      `${measured.firstError ? ` (first: ${measured.firstError})` : ""}.`,
  ].join("\n");
}
