// Generates a realistic recent history of incidents: `pnpm seed:demo [--count N] [--days N]`.
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/db/database";
import { seedDemo } from "../src/demo/seed";
import { createLogger } from "../src/logger";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`--${name} must be a positive integer; got ${process.argv[index + 1]}`);
    process.exit(2);
  }
  return value;
}

if (process.argv.includes("--help")) {
  console.log(`Usage: pnpm seed:demo [--count N] [--days N]

Generates N incidents (default 300) detected over the last N days (default 60) in the
configured database: DATABASE_URL, or the PGlite folder DATA_DIR. Does nothing when demo
incidents already exist.`);
  process.exit(0);
}

const config = loadConfig();
const log = createLogger(config.logLevel);
const count = option("count", 300);
const days = option("days", 60);
try {
  const db = await openDatabase(config, log);
  try {
    const started = Date.now();
    const result = await seedDemo(
      { prisma: db.prisma, sql: db.sql, config, log, now: () => new Date() },
      { count, days },
    );
    if (result.skipped) {
      console.log(`demo incidents already exist in ${db.location}; nothing added`);
    } else {
      console.log(
        `created ${result.created} demo incidents over ${days} days in ${db.location} (${Date.now() - started} ms)`,
      );
    }
  } finally {
    await db.close();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
