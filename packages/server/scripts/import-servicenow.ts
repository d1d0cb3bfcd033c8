import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { bootstrap } from "../src/bootstrap";
import { type Config, ConfigError, loadConfig } from "../src/config";
import { type Database, openDatabase } from "../src/db/database";
import { DataDirLockedError } from "../src/db/lock";
import { MigrationError } from "../src/db/migrate";
import { formatReport, type ImportReport } from "../src/imports/report";
import { importServiceNowLog, previewServiceNowLog } from "../src/imports/run";
import type { ServiceContext } from "../src/incidents/service";
import type { Logger } from "../src/logger";

const HELP = `Usage: pnpm import:servicenow FILE [--report REPORT.json] [--dry-run]

Imports a ServiceNow incident event log export (CSV, one row per update of an incident, rows
of one incident in order) into the incident service. Each incident becomes one incident with
its timeline; its ServiceNow number becomes the external reference.

Times in the file (dd-mm-yyyy HH:MM) carry no time zone and are read as UTC.

The whole file is validated first, and a file with any error writes nothing. Incidents are then
created one by one, each with its whole timeline in one transaction. Incidents whose number
was imported before are skipped, so running the import again after a failure or on the same
file adds only what is missing.

Relative paths are resolved against the folder the command was run in.

Options:
  --report FILE   also write the report as JSON to FILE
  --dry-run       validate and map the file and print the report without opening the database
  -h, --help      show this help

Environment:
  DATABASE_URL    PostgreSQL server to import into (postgres://...); without it, the embedded
                  database in DATA_DIR, which must not be in use by a running server
  DATA_DIR        data folder of the embedded database (default: packages/server/data)
  LOG_LEVEL       log level of the log lines on stderr (default: info)

The report goes to stdout, logs to stderr. Exit status: 0 when every incident was imported or
skipped, 1 when the file was rejected, an incident failed or the run stopped, 2 on a usage
error.`;

function usage(message: string): never {
  process.stderr.write(`${message}\n\n${HELP}\n`);
  process.exit(2);
}

function parseCommandLine() {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        report: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      process.exit(0);
    }
    const [file, ...rest] = positionals;
    if (!file) usage("missing FILE: the ServiceNow CSV export to import");
    if (rest.length > 0) usage(`expected one FILE, got also ${rest.join(" ")}`);
    // pnpm runs package scripts in the package folder and passes the caller's folder as
    // INIT_CWD, so relative paths are resolved against the folder the command was typed in.
    const base = process.env.INIT_CWD ?? process.cwd();
    return {
      file: resolve(base, file),
      reportFile: values.report === undefined ? null : resolve(base, values.report),
      dryRun: values["dry-run"],
    };
  } catch (error) {
    usage((error as Error).message);
  }
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) usage(error.message);
    throw error;
  }
}

function readInput(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    usage(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Opens the database, explaining the failures a user can fix. */
async function open(config: Config, log: Logger): Promise<Database> {
  try {
    return await openDatabase(config, log);
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      fail(
        `cannot import: ${error.message}.\nThe importer needs the embedded database to itself: ` +
          "stop the server and run the import again, or run both against PostgreSQL with " +
          "DATABASE_URL.",
      );
    }
    if (error instanceof MigrationError) fail(`cannot import: ${error.message}`);
    throw error;
  }
}

async function run(): Promise<number> {
  const { file, reportFile, dryRun } = parseCommandLine();
  const config = readConfig();
  // The report owns stdout, so log lines go to stderr.
  const log = pino(
    { level: config.logLevel, base: { service: "incident-import" } },
    pino.destination(2),
  );
  const source = { name: file, text: readInput(file) };

  let report: ImportReport;
  if (dryRun) {
    report = previewServiceNowLog(source, { now: new Date(), limits: config.limits });
  } else {
    const controller = new AbortController();
    const interrupt = () => {
      log.warn("interrupted, stopping after the current incident");
      controller.abort();
    };
    process.once("SIGINT", interrupt);
    process.once("SIGTERM", interrupt);
    const db = await open(config, log);
    try {
      // A new database gets the standard categories, as the server's first start would give.
      await bootstrap(db.prisma, log);
      const ctx: ServiceContext = {
        prisma: db.prisma,
        sql: db.sql,
        config: { limits: config.limits },
        log,
        now: () => new Date(),
      };
      report = await importServiceNowLog(ctx, source, { signal: controller.signal });
    } finally {
      await db.close();
    }
  }

  process.stdout.write(formatReport(report));
  if (reportFile) {
    writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
    log.info({ file: reportFile }, "JSON report written");
  }
  return report.outcome === "completed" && report.errors.length === 0 ? 0 : 1;
}

run().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`import failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
