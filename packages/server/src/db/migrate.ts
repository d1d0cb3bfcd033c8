import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../logger";
import type { SqlDatabase, SqlRunner } from "./sql";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

/** Error raised when a migration fails; the database stays as it was before that migration. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

export interface Migration {
  name: string;
  sql: string;
  /** SHA-256 of the file in hex, as Prisma Migrate records it. */
  checksum: string;
}

/** Reads the migrations in Prisma Migrate's layout, oldest first. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

// Columns and types of the table Prisma Migrate keeps, so `prisma migrate status` and this
// runner agree on what was applied.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Arbitrary constant that identifies the migration advisory lock among server instances. */
const MIGRATION_LOCK_ID = 72_531_904;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies the pending migrations and their `_prisma_migrations` rows in one transaction, so a
 * failing migration leaves the database as it was before the run. Instances starting
 * at once serialize on an advisory lock. Returns the names of the migrations applied.
 */
export async function migrate(
  db: SqlDatabase,
  log: Logger,
  migrations = readMigrations(),
): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_ID]);
    await tx.exec(CREATE_MIGRATIONS_TABLE);
    const rows = await tx.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const applied = new Map(
      rows
        .filter((r) => r.finished_at !== null && r.rolled_back_at === null)
        .map((r) => [r.migration_name, r]),
    );
    checkApplied(applied, migrations, log);

    const pending = migrations.filter((m) => !applied.has(m.name));
    for (const migration of pending) {
      await applyOne(tx, migration, log);
    }
    return pending.map((m) => m.name);
  });
}

function checkApplied(applied: Map<string, AppliedRow>, migrations: Migration[], log: Logger) {
  const known = new Set(migrations.map((m) => m.name));
  for (const name of applied.keys()) {
    if (!known.has(name)) {
      throw new MigrationError(
        `the database has migration ${name}, which this server does not have; run a newer server version`,
      );
    }
  }
  for (const migration of migrations) {
    const row = applied.get(migration.name);
    if (row && row.checksum !== migration.checksum) {
      log.warn(
        { migration: migration.name, recorded: row.checksum, file: migration.checksum },
        "migration file changed after it was applied",
      );
    }
  }
}

async function applyOne(tx: SqlRunner, migration: Migration, log: Logger) {
  const startedAt = new Date();
  try {
    await tx.exec(migration.sql);
  } catch (error) {
    throw new MigrationError(
      `migration ${migration.name} failed, so no pending migration was applied: ${(error as Error).message}`,
      { cause: error },
    );
  }
  await tx.query(
    `INSERT INTO "_prisma_migrations"
       (id, checksum, finished_at, migration_name, logs, started_at, applied_steps_count)
     VALUES ($1, $2, now(), $3, NULL, $4, 1)`,
    [randomUUID(), migration.checksum, migration.name, startedAt],
  );
  log.info({ migration: migration.name }, "migration applied");
}
