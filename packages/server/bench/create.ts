import pg from "pg";
import { type GraphQLClient, KeepAliveClient } from "./http";
import { runConcurrent } from "./load";
import { processCpuSeconds } from "./machine";
import { formatStatements, runStatement, withoutBusReads } from "./replay";
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

type Row = Record<string, unknown>;

/** The statements of one createIncident and what the baselines run of them. */
interface CreateTemplate {
  statements: CapturedStatement[];
  /** The statement that numbers and inserts the incident and its events. */
  write: CapturedStatement;
  /** The incident row that createIncident inserted, column by column, without number and key. */
  incident: Row;
  /** The CREATED event that createIncident inserted, without its id and incident. */
  event: Row;
  /** The reference: the same incident row as a one-row INSERT ... VALUES. */
  plainInsert: CapturedStatement;
  /** Baseline A: the same incident and event rows in one INSERT statement. */
  rowsInsert: CapturedStatement;
}

const WRITE = /INSERT INTO incidents/;

/** Finds the write of a create in a capture and checks that it looks as expected. */
function templateFrom(captured: CapturedStatement[]): CreateTemplate {
  const statements = withoutBusReads(captured);
  const write = statements.find((s) => WRITE.test(s.text));
  if (!write) throw new Error("no INSERT INTO incidents in the createIncident capture");
  for (const name of ["incident", "event"]) {
    if (!new RegExp(`name = '${name}'`).test(write.text)) {
      throw new Error(`the createIncident write does not take the ${name} counter`);
    }
  }
  const [json] = write.values;
  if (typeof json !== "string") throw new Error("the createIncident write takes no JSON rows");
  const { offset: _offset, ...incident } = (JSON.parse(json) as Row[])[0] ?? {};
  if (!("title" in incident)) throw new Error("the createIncident write contains no incident row");
  const [, events] = write.values;
  if (typeof events !== "string") throw new Error("the createIncident write takes no events");
  const created = (JSON.parse(events) as Row[])[0];
  if (created?.type !== "CREATED") throw new Error("no CREATED event in the write");
  const { offset: _eventOffset, incident: _incident, ...event } = created;

  const columns = ["number", "key", ...Object.keys(incident)];
  const placeholders = (count: number, from = 1) =>
    Array.from({ length: count }, (_, i) => `$${from + i}`).join(", ");
  const quoted = (names: string[]) => names.map((c) => `"${c}"`).join(", ");
  const plainInsert: CapturedStatement = {
    text: `INSERT INTO "incidents" (${quoted(columns)}) VALUES (${placeholders(columns.length)})`,
    values: [0, "INC-0", ...Object.values(incident)],
    connection: null,
  };
  const eventColumns = Object.keys(event);
  const rowsInsert: CapturedStatement = {
    text:
      `WITH inserted AS (INSERT INTO "incidents" (${quoted(columns)}) ` +
      `VALUES (${placeholders(columns.length)}) RETURNING id) ` +
      `INSERT INTO "incident_events" ("id", "incident_id", ${quoted(eventColumns)}) ` +
      `SELECT $${columns.length + 1}, inserted.id, ` +
      `${eventColumns.map((_, i) => `$${columns.length + 2 + i}`).join(", ")} FROM inserted`,
    values: [],
    connection: null,
  };
  return { statements, write, incident, event, plainInsert, rowsInsert };
}

function plainValues(template: CreateTemplate, number: number): unknown[] {
  return [number, `INC-${number}`, ...Object.values(template.incident)];
}

/** Converts a JSON column value to JSON text, since pg sends a JavaScript array as an array. */
function sqlValue(value: unknown): unknown {
  return value !== null && typeof value === "object" ? JSON.stringify(value) : value;
}

function rowsValues(template: CreateTemplate, number: number, eventId: number): unknown[] {
  return [
    ...plainValues(template, number),
    eventId,
    ...Object.values(template.event).map(sqlValue),
  ];
}

type Variant = "api" | "rows" | "insert" | "single" | "noFlush";

const VARIANTS: Variant[] = ["api", "rows", "insert", "single", "noFlush"];

const VARIANT_LABELS: Record<Variant, string> = {
  api: "API: createIncident over HTTP",
  rows: "baseline A: one INSERT of the same rows",
  insert: "reference: one INSERT of the incident row alone",
  single: "baseline B: the write of one create, one create per commit",
  noFlush: "diagnostic: B with synchronous_commit = off",
};

type Runners = Record<Variant, (index: number) => Promise<unknown>>;

function makeRunners(
  client: KeepAliveClient,
  pools: { normal: pg.Pool; noFlush: pg.Pool },
  template: CreateTemplate,
): Runners {
  const create = client.encode(CREATE_MUTATION, { input: INPUT });
  let rawNumber = RAW_NUMBER_BASE;
  // Negative, so that the server's event bus, which reads the ids above its head, skips them.
  let rawEventId = -1;
  return {
    api: () => client.data(create),
    rows: () =>
      runStatement(
        pools.normal,
        template.rowsInsert,
        rowsValues(template, rawNumber++, rawEventId--),
      ),
    insert: () =>
      runStatement(pools.normal, template.plainInsert, plainValues(template, rawNumber++)),
    single: () => runStatement(pools.normal, template.write),
    noFlush: () => runStatement(pools.noFlush, template.write),
  };
}

interface Run {
  opsPerSecond: number;
  /** CPU time of the server process over wall time, in percent of one core. */
  serverCpu: number;
  /** CPU time of this process, the load generator, per operation, in microseconds. */
  clientCpu: number;
  waits: WaitSample;
  /** Creates per commit during an API run; null for the baselines. */
  batch: number | null;
}

interface Measurements {
  runs: Map<string, Run[]>;
  errors: number;
  firstError: string | null;
}

/** Reads the newest event id, to count what a run adds after it. */
async function lastEventId(pool: pg.Pool): Promise<string> {
  const result = await pool.query<{ id: string }>(
    "SELECT coalesce(max(id), 0)::text AS id FROM incident_events",
  );
  return result.rows[0]?.id ?? "0";
}

/**
 * Counts creates per commit among the events after the id. The events of one transaction share
 * its recorded_at, the transaction's start time, and each create writes one CREATED event.
 */
async function createsPerCommit(pool: pg.Pool, after: string): Promise<number> {
  const result = await pool.query<{ creates: string; transactions: string }>(
    `SELECT count(*) AS creates, count(DISTINCT recorded_at) AS transactions
       FROM incident_events WHERE id > $1 AND type = 'CREATED'`,
    [after],
  );
  const row = result.rows[0];
  return row ? Number(row.creates) / Math.max(1, Number(row.transactions)) : Number.NaN;
}

async function measure(
  server: BenchServer,
  runners: Runners,
  pool: pg.Pool,
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
        const eventsBefore = variant === "api" ? await lastEventId(pool) : null;
        const cpuBefore = processCpuSeconds(server.pid);
        const clientBefore = process.cpuUsage();
        const { result, waits } = await sampleWaits(databaseUrl, 25, () =>
          runConcurrent(options.requests, concurrency, runners[variant]),
        );
        const cpu = processCpuSeconds(server.pid) - cpuBefore;
        const client = process.cpuUsage(clientBefore);
        measured.errors += result.errors;
        measured.firstError ??= result.firstError;
        const key = `${variant}@${concurrency}`;
        const run = {
          opsPerSecond: result.opsPerSecond,
          serverCpu: (cpu / result.seconds) * 100,
          clientCpu: (client.user + client.system) / result.operations,
          waits,
          batch: eventsBefore === null ? null : await createsPerCommit(pool, eventsBefore),
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
  const fast = new KeepAliveClient(server.url);
  const pools = {
    normal: new pg.Pool({ connectionString: databaseUrl, max: options.connections }),
    noFlush: new pg.Pool({
      connectionString: databaseUrl,
      max: options.connections,
      options: "-c synchronous_commit=off",
    }),
  };
  try {
    const runners = makeRunners(fast, pools, template);
    const measured = await measure(server, runners, pools.normal, databaseUrl, options);
    return createSection(measured, template, options);
  } finally {
    fast.close();
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
        median(runs.map((run) => run.clientCpu)),
        variant === "api" ? formatNumber(median(runs.map((run) => run.batch ?? 0)), 1) : "1",
        formatNumber(median(runs.map((run) => run.waits.active)), 2),
        formatNumber(median(runs.map((run) => run.waits.lock)), 2),
        formatNumber(median(runs.map((run) => run.waits.wal)), 2),
      ]);
    }
    const ratio = ratioTo("rows");
    goals.push({
      text:
        `createIncident at concurrency ${concurrency} reaches at least half the throughput ` +
        "of baseline A, a raw INSERT of the same rows",
      met: ratio >= 0.5,
      detail:
        `API ${median(api).toFixed(0)} ops/s, ${formatRatio(ratio)} of A; ` +
        `${formatRatio(ratioTo("insert"))} of the incident row alone; ` +
        `${formatRatio(ratioTo("single"))} of B`,
    });
  }
  return {
    title: "createIncident throughput",
    intro: `${createIntro(measured, options)}\n\n${observations(measured, options)}`,
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
          "client CPU µs/op",
          "creates per commit",
          "active backends",
          "waiting on a lock",
          "waiting on WAL flush",
        ],
        rows,
      },
    ],
    goals,
    details: [
      "SQL of one createIncident on its own, a batch of one, as the server sent it to " +
        "PostgreSQL (captured at the pg client in the server process). A batch of n creates " +
        "runs the same statements with n rows in each JSON array. Baseline B runs statement " +
        `${template.statements.indexOf(template.write) + 1} as captured. Baseline A inserts ` +
        "its incident row and CREATED event with the first statement below; the reference " +
        "inserts the incident row with the second:",
      "",
      formatStatements([
        { ...template.rowsInsert, values: rowsValues(template, RAW_NUMBER_BASE, -1) },
        template.plainInsert,
      ]),
      "",
      formatStatements(template.statements),
    ].join("\n"),
  };
}

/** States what the wait samples and the diagnostic show, from this run's figures. */
function observations(measured: Measurements, options: CreateOptions): string {
  const parts = options.concurrencies.map((concurrency) => {
    const runs = (variant: Variant) => measured.runs.get(`${variant}@${concurrency}`) ?? [];
    const wait = (variant: Variant, pick: (w: WaitSample) => number) =>
      formatNumber(median(runs(variant).map((run) => pick(run.waits))), 1);
    const rate = (variant: Variant) => median(runs(variant).map((run) => run.opsPerSecond));
    const batch = formatNumber(median(runs("api").map((run) => run.batch ?? 0)), 1);
    return (
      `at concurrency ${concurrency}, the API wrote ${batch} creates per commit; ` +
      `${wait("single", (w) => w.lock)} of ${wait("single", (w) => w.active)} active ` +
      `backends waited on a lock during baseline B, against ${wait("api", (w) => w.lock)} ` +
      "during the API runs; without the WAL flush at COMMIT, B ran " +
      `${formatRatio(rate("noFlush") / rate("single"))} as fast`
    );
  });
  return (
    "Reading the figures: the counter rows stay locked from their UPDATE to the COMMIT, so " +
    "creates that each commit on their own, as in baseline B, queue behind each other, the " +
    "WAL flush at COMMIT included. The API writes the creates that arrive while a batch is " +
    "being written together, in one statement, so one lock wait and one flush serve the " +
    `whole batch. In this run, ${parts.join("; ")}.`
  );
}

function createIntro(measured: Measurements, options: CreateOptions): string {
  return [
    `${options.requests} requests per variant and concurrency in each of ${options.rounds} ` +
      `rounds (after ${options.warmupRequests} warm-up requests each), on a fresh database ` +
      "that grows as the rounds go on. The API runs in a child process with its pool of 10 " +
      "PostgreSQL connections; the baselines run in the benchmark process on pg pools of " +
      `${options.connections}. Variants alternate inside each round. The API's load ` +
      "generator writes requests encoded once in advance on keep-alive sockets and reads " +
      "responses by their Content-Length, as wrk does, because on two cores the CPU it " +
      "spends is taken from the server.",
    "",
    `- **${VARIANT_LABELS.rows}**: the rows that createIncident writes, its incident row ` +
      "and its CREATED event with the same values, in one INSERT statement in autocommit, " +
      "with key numbers and event ids from local sequences instead of the counters. The goal " +
      "compares the API with this baseline.",
    `- **${VARIANT_LABELS.insert}**: the same incident row as a one-row INSERT ... VALUES ` +
      "in autocommit, without its event.",
    `- **${VARIANT_LABELS.single}**: the statement with which createIncident writes a ` +
      "batch (take the incident counter, INSERT the incident, take the event counter, INSERT " +
      "the CREATED event, NOTIFY), replayed as captured for a batch of one, in autocommit.",
    `- **${VARIANT_LABELS.noFlush}**: baseline B on connections that do not wait for the WAL ` +
      "flush at COMMIT. Not a baseline: it shows how much of B's time is spent holding the " +
      "counter row locks while COMMIT waits for the disk.",
    "",
    "API / variant is API ops/s divided by the variant's ops/s, the median of the per-round " +
      "ratios. Server CPU % is the CPU time of the server process over the run's wall time " +
      "(100 = one core); during the baselines it is the event bus reading the events that B " +
      "announces. Client CPU µs/op is the CPU time of the benchmark process, which generates " +
      "the load, per operation. Creates per commit counts the CREATED events of an API run against " +
      "their distinct recorded_at, the start time of the transaction that wrote them. The " +
      "last three columns are the mean number of backends of the database that " +
      "pg_stat_activity showed running a statement, waiting for a lock (wait_event_type " +
      "Lock) and waiting for the WAL flush (WALSync, WALWrite), sampled every 25 ms. " +
      `Errors: ${measured.errors}` +
      `${measured.firstError ? ` (first: ${measured.firstError})` : ""}.`,
  ].join("\n");
}
