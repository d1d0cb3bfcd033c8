import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/db/database";
import { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from "../src/db/migrate";
import { createLogger } from "../src/logger";
import { POSTGRES_TYPES, readPrismaSchema } from "./prisma-schema";
import { BACKENDS, createPostgresDatabase } from "./support";

const log = createLogger("silent");

interface Opened {
  db: Database;
  cleanup(): Promise<void>;
}

async function open(backend: "pglite" | "postgres", dataDir?: string): Promise<Opened> {
  if (backend === "postgres") {
    const database = await createPostgresDatabase();
    const db = await openDatabase({ databaseUrl: database.url, dataDir: "" }, log);
    return {
      db,
      async cleanup() {
        await db.close();
        await database.drop();
      },
    };
  }
  const db = await openDatabase(
    { databaseUrl: null, dataDir: dataDir ?? "", inMemory: !dataDir },
    log,
  );
  return { db, cleanup: () => db.close() };
}

/** Copies the real migrations into a temporary folder and adds one that fails halfway. */
function migrationsWithFailure(): string {
  const dir = mkdtempSync(join(tmpdir(), "migrations-"));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  mkdirSync(join(dir, "29990101000000_broken"));
  writeFileSync(
    join(dir, "29990101000000_broken", "migration.sql"),
    "CREATE TABLE half_done (id INTEGER);\nSELECT 1 / 0;\n",
  );
  return dir;
}

describe.each(BACKENDS)("migrations on %s", (backend) => {
  let opened: Opened;
  beforeAll(async () => {
    opened = await open(backend);
  });
  afterAll(() => opened.cleanup());

  it("records each migration as Prisma Migrate does", async () => {
    const rows = await opened.db.sql.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"`,
    );
    const files = readMigrations();
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((m) => m.name));
    for (const [index, row] of rows.entries()) {
      const sql = readFileSync(join(MIGRATIONS_DIR, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(files[index]?.checksum).toBe(row.checksum);
    }
  });

  it("applies nothing the second time", async () => {
    const applied = await migrate(opened.db.sql, log);
    expect(applied).toEqual([]);
  });

  it("rolls back a failing migration entirely", async () => {
    const dir = migrationsWithFailure();
    try {
      await expect(migrate(opened.db.sql, log, readMigrations(dir))).rejects.toThrow(
        /migration 29990101000000_broken failed/,
      );
      const tables = await opened.db.sql.query(
        `SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`,
      );
      expect(tables).toHaveLength(0);
      const rows = await opened.db.sql.query(
        `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`,
      );
      expect(rows).toHaveLength(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("matches schema.prisma column by column", async () => {
    const schema = readPrismaSchema();
    const columns = await opened.db.sql.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      udt_name: string;
      is_nullable: string;
    }>(`SELECT table_name, column_name, data_type, udt_name, is_nullable
        FROM information_schema.columns WHERE table_schema = 'public'`);
    const byKey = new Map(columns.map((c) => [`${c.table_name}.${c.column_name}`, c]));

    expect(schema.models.length).toBeGreaterThan(5);
    for (const model of schema.models) {
      for (const field of model.fields) {
        const where = `${model.name}.${field.name} (${model.table}.${field.column})`;
        const column = byKey.get(`${model.table}.${field.column}`);
        expect(column, `${where} has no column`).toBeDefined();
        if (!column) continue;
        if (schema.enums.has(field.type)) {
          expect(column.udt_name, `${where} type`).toBe(field.type);
        } else {
          expect(column.data_type, `${where} type`).toBe(POSTGRES_TYPES[field.type]);
        }
        expect(column.is_nullable === "YES", `${where} nullability`).toBe(field.optional);
      }
    }
  });

  it("matches schema.prisma enums and indexes", async () => {
    const schema = readPrismaSchema();
    const values = await opened.db.sql.query<{ typname: string; enumlabel: string }>(
      `SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
       ORDER BY t.typname, e.enumsortorder`,
    );
    for (const [name, labels] of schema.enums) {
      expect(
        values.filter((v) => v.typname === name).map((v) => v.enumlabel),
        name,
      ).toEqual(labels);
    }
    const indexes = await opened.db.sql.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`,
    );
    const names = new Set(indexes.map((i) => i.indexname));
    for (const model of schema.models) {
      for (const index of model.indexNames) expect(names.has(index), index).toBe(true);
    }
  });

  it("lets the Prisma client query every model", async () => {
    const { prisma } = opened.db;
    await expect(prisma.user.findMany({ take: 1 })).resolves.toBeDefined();
    await expect(
      prisma.team.findMany({ take: 1, include: { categories: true } }),
    ).resolves.toBeDefined();
    await expect(prisma.counter.findMany()).resolves.toHaveLength(2);
    await expect(
      prisma.incident.findMany({ take: 1, include: { events: true, category: true } }),
    ).resolves.toBeDefined();
  });
});

describe("migrations on a PGlite data folder", () => {
  it("apply once across restarts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "incident-data-"));
    try {
      const first = await open("pglite", dir);
      const count = async (db: Database) =>
        (
          await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`)
        )[0]?.n;
      expect(await count(first.db)).toBe(readMigrations().length);
      await first.cleanup();

      const second = await open("pglite", dir);
      expect(await migrate(second.db.sql, log)).toEqual([]);
      expect(await count(second.db)).toBe(readMigrations().length);
      await second.cleanup();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuse to start on a failing migration", async () => {
    const dir = migrationsWithFailure();
    const db = await openDatabase({ databaseUrl: null, dataDir: "", inMemory: true }, log);
    try {
      await expect(migrate(db.sql, log, readMigrations(dir))).rejects.toBeInstanceOf(
        MigrationError,
      );
      const tables = await db.sql.query(
        `SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`,
      );
      expect(tables).toHaveLength(0);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
