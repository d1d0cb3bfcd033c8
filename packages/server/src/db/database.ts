import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { Config } from "../config";
import { PrismaClient } from "../generated/prisma/client";
import type { Logger } from "../logger";
import { type DataDirLock, lockDataDir } from "./lock";
import { migrate } from "./migrate";
import type { QueryOptions, SqlDatabase, SqlRunner } from "./sql";

export type { PrismaClient };

export interface Database {
  kind: "pglite" | "postgres";
  prisma: PrismaClient;
  sql: SqlDatabase;
  /** Human description for logs: the data folder or the server address, without credentials. */
  location: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** Skips the data folder lock; only for PGlite in memory, which no other process can open. */
  inMemory?: boolean;
  /** Called with the SQL of every query the Prisma client runs; tests count queries with it. */
  onQuery?: (sql: string) => void;
}

/** Creates the Prisma client on an adapter, reporting each query when asked to. */
function createPrisma(
  adapter: PrismaPGlite | PrismaPg,
  onQuery?: (sql: string) => void,
): PrismaClient {
  if (!onQuery) return new PrismaClient({ adapter });
  const prisma = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  prisma.$on("query", (event) => onQuery(event.query));
  return prisma;
}

/** Opens the configured database, applies pending migrations and returns it. */
export async function openDatabase(
  options: Pick<Config, "databaseUrl" | "dataDir"> & Partial<OpenOptions>,
  log: Logger,
): Promise<Database> {
  const db = options.databaseUrl
    ? await openPostgres(options.databaseUrl, log, options.onQuery)
    : await openPglite(options.dataDir, options.inMemory ?? false, options.onQuery);
  try {
    const applied = await migrate(db.sql, log.child({ component: "migrate" }));
    log.info({ database: db.location, applied: applied.length }, "database ready");
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

async function openPglite(
  dataDir: string,
  inMemory: boolean,
  onQuery?: (sql: string) => void,
): Promise<Database> {
  let lock: DataDirLock | null = null;
  if (!inMemory) lock = lockDataDir(dataDir);

  let client: PGlite;
  try {
    client = inMemory
      ? await PGlite.create({ extensions: { pg_trgm } })
      : await PGlite.create(join(dataDir, "pgdata"), { extensions: { pg_trgm } });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const prisma = createPrisma(new PrismaPGlite(client), onQuery);
  const runner = (target: Pick<PGlite, "exec" | "query">): SqlRunner => ({
    exec: async (sql) => {
      await target.exec(sql);
    },
    query: async <T>(sql: string, params: unknown[] = []) =>
      (await target.query<T>(sql, params)).rows,
  });

  return {
    kind: "pglite",
    prisma,
    location: inMemory ? "PGlite in memory" : `PGlite in ${dataDir}`,
    sql: {
      ...runner(client),
      transaction: (fn) => client.transaction((tx) => fn(runner(tx))),
      listen: async (channel, onNotify) => {
        const unlisten = await client.listen(channel, (payload) => onNotify(payload));
        return async () => {
          if (!client.closed) await unlisten();
        };
      },
    },
    async close() {
      await prisma.$disconnect();
      if (!client.closed) await client.close();
      lock?.release();
    },
  };
}

function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `PostgreSQL at ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}

async function openPostgres(
  url: string,
  log: Logger,
  onQuery?: (sql: string) => void,
): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on("error", (error) => log.error({ err: error }, "idle PostgreSQL connection failed"));
  const prisma = createPrisma(new PrismaPg(pool), onQuery);
  const runner = (target: pg.Pool | pg.PoolClient): SqlRunner => ({
    exec: async (sql) => {
      await target.query(sql);
    },
    query: async <T>(sql: string, params: unknown[] = [], options: QueryOptions = {}) => {
      const name = options.prepareAs;
      const config = name ? { name, text: sql, values: params } : { text: sql, values: params };
      return (await target.query(config)).rows as T[];
    },
  });
  const listeners = new Set<PgListener>();

  return {
    kind: "postgres",
    prisma,
    location: describeUrl(url),
    sql: {
      ...runner(pool),
      async transaction(fn) {
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          const result = await fn(runner(client));
          await client.query("COMMIT");
          return result;
        } catch (error) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      },
      async listen(channel, onNotify) {
        const listener = new PgListener(url, channel, onNotify, log.child({ component: "listen" }));
        listeners.add(listener);
        await listener.start();
        return async () => {
          listeners.delete(listener);
          await listener.stop();
        };
      },
    },
    async close() {
      for (const listener of listeners) await listener.stop();
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/**
 * A dedicated connection that LISTENs on one channel. When the connection drops, it reconnects
 * with backoff and calls onNotify once, because notifications sent meanwhile are lost and the
 * reader must look at the events table again.
 */
class PgListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retryMs = 100;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onNotify: (payload: string) => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on("notification", (message) => {
      if (message.channel === this.channel) this.onNotify(message.payload ?? "");
    });
    client.on("error", (error) => {
      this.log.warn(
        { err: error, channel: this.channel },
        "LISTEN connection failed; reconnecting",
      );
      this.reconnect(client);
    });
    client.on("end", () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      client.end().catch(() => undefined);
      throw error;
    }
    // stop() ran while this connection was being opened; it must not outlive the listener.
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = 100;
  }

  private reconnect(failed: pg.Client) {
    if (this.stopped || this.client !== failed) return;
    this.client = null;
    failed.end().catch(() => undefined);
    this.scheduleRetry();
  }

  private scheduleRetry() {
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 5_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopped) return;
      this.start().then(
        () => {
          if (this.stopped) return;
          this.log.info({ channel: this.channel }, "LISTEN connection restored");
          this.onNotify("");
        },
        (error) => {
          this.log.warn({ err: error, retryMs: this.retryMs }, "LISTEN reconnect failed");
          this.scheduleRetry();
        },
      );
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
