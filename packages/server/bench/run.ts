/**
 * Benchmark suite: createIncident throughput, the incident list, KPIs and subscription fan-out,
 * each against a baseline measured in the same run. Usage: `pnpm bench [-- --quick]`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { benchmarkCreate } from "./create";
import { type BenchDatabase, checkLoopback, createDatabase } from "./database";
import { GraphQLClient } from "./http";
import { benchmarkKpis } from "./kpis";
import { benchmarkList, loadCatalog } from "./list";
import { describeMachine, readLoad } from "./machine";
import { type BenchOptions, parseOptions, UsageError } from "./options";
import { renderMarkdown } from "./page";
import { consoleTable, goalText, type Section } from "./report";
import { describeSeed, seedIncidents } from "./seed";
import { type BenchServer, startBenchServer } from "./server";
import { benchmarkSubscriptions } from "./subscriptions";

function progress(message: string) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Databases and servers to clean up, also when the run fails or is interrupted. */
const cleanups: (() => Promise<void>)[] = [];

async function cleanUp() {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    await cleanup?.().catch((error: unknown) => progress(`clean-up failed: ${String(error)}`));
  }
}

async function database(options: BenchOptions, label: string): Promise<BenchDatabase> {
  const db = await createDatabase(options.adminUrl, label);
  cleanups.push(() => db.drop());
  return db;
}

async function server(db: BenchDatabase, logFile: string, files?: number): Promise<BenchServer> {
  const started = await startBenchServer({
    databaseUrl: db.url,
    logFile,
    ...(files ? { files } : {}),
  });
  cleanups.push(() => started.stop());
  return started;
}

async function runCreate(options: BenchOptions, logDir: string): Promise<Section> {
  progress("create: fresh database and server");
  const db = await database(options, "create");
  const api = await server(db, join(logDir, "server-create.log"));
  const client = new GraphQLClient(api.url, Math.max(...options.create.concurrencies));
  try {
    progress(`create: ${options.create.rounds} rounds of ${options.create.requests} requests`);
    return await benchmarkCreate(api, client, db.url, options.create);
  } finally {
    client.close();
    await cleanUp();
  }
}

async function runReads(options: BenchOptions, logDir: string): Promise<Section[]> {
  const sections: Section[] = [];
  const { only, incidents, subscriptions } = options;
  const db = await database(options, "reads");
  const files = only.has("subscriptions") ? subscriptions.clients + 200 : undefined;
  const api = await server(db, join(logDir, "server-reads.log"), files);
  const client = new GraphQLClient(api.url, 4);
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  cleanups.push(async () => {
    client.close();
    await pool.end();
  });

  progress(`reads: seeding ${incidents.toLocaleString("en-US")} incidents`);
  const seed = await seedIncidents(db.url, incidents);
  progress(
    `reads: seeded in ${seed.seconds.toFixed(1)} s, ` +
      `VACUUM (ANALYZE) ${seed.analyzeSeconds.toFixed(1)} s`,
  );
  sections.push(await describeSeed(db.url, seed));
  const catalog = await loadCatalog(client);

  if (only.has("list")) {
    progress("list: incidents(filter, first: 25)");
    sections.push(await benchmarkList(api, client, pool, catalog, incidents, options.list));
  }
  if (only.has("kpis")) {
    progress("kpis: kpis(filter)");
    sections.push(await benchmarkKpis(api, client, pool, catalog, incidents, options.kpis));
  }
  if (only.has("subscriptions")) {
    progress(`subscriptions: ${subscriptions.clients} subscribers`);
    sections.push(
      await benchmarkSubscriptions(api, client, catalog, { ...subscriptions, logDir, progress }),
    );
  }
  return sections;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return;
  checkLoopback(options.adminUrl);
  const logDir = mkdtempSync(join(tmpdir(), "incident-bench-"));
  const machine = await describeMachine(options.adminUrl);
  const startedAt = new Date();
  progress(`logs of the child processes: ${logDir}`);

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      progress(`${signal}: cleaning up`);
      void cleanUp().finally(() => process.exit(130));
    });
  }

  const sections: Section[] = [];
  try {
    if (options.only.has("create")) sections.push(await runCreate(options, logDir));
    if (["list", "kpis", "subscriptions"].some((name) => options.only.has(name))) {
      sections.push(...(await runReads(options, logDir)));
    }
  } finally {
    await cleanUp();
  }

  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  for (const section of sections) {
    process.stdout.write(`\n## ${section.title}\n\n`);
    for (const table of section.tables) process.stdout.write(`${consoleTable(table)}\n\n`);
    for (const goal of section.goals) process.stdout.write(`${goalText(goal)}\n`);
  }
  const markdown = renderMarkdown({
    options,
    machine,
    startedAt,
    seconds,
    loadAtEnd: readLoad(),
    sections,
  });
  writeFileSync(options.out, markdown);
  process.stdout.write(`\nfinished in ${seconds.toFixed(0)} s; report written to ${options.out}\n`);
}

main().catch(async (error: unknown) => {
  if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
    // An invalid option: parseArgs raises a TypeError with an ERR_PARSE_ARGS_* code.
    process.stderr.write(`${error.message}\nRun pnpm bench -- --help for the options.\n`);
    process.exitCode = 2;
    return;
  }
  progress(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await cleanUp();
  process.exitCode = 1;
});
