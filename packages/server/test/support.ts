import { randomBytes } from "node:crypto";
import pg from "pg";
import { type RunningServer, startServer } from "../src/app";
import { type Config, loadConfig } from "../src/config";
import { createLogger } from "../src/logger";

/** Backends every server test runs against: PGlite always, PostgreSQL when configured. */
export const BACKENDS: ("pglite" | "postgres")[] = process.env.TEST_DATABASE_URL
  ? ["pglite", "postgres"]
  : ["pglite"];

function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is not set");
  return url;
}

/** Creates an empty PostgreSQL database on the TEST_DATABASE_URL server and returns its URL. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `incident_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface TestServer extends RunningServer {
  backend: "pglite" | "postgres";
  /** Posts a GraphQL operation and returns the parsed response body. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on any error and returns data. */
  // biome-ignore lint/suspicious/noExplicitAny: tests index into response data freely.
  data<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string | null } }[];
}

export interface TestServerOptions {
  backend: "pglite" | "postgres";
  env?: Record<string, string>;
  now?: () => Date;
  /** Existing database URL (PostgreSQL) to share among servers; no database is created. */
  databaseUrl?: string;
  /** Data folder for PGlite on disk; default is in memory. */
  dataDir?: string;
  /** Called with the SQL of every Prisma query. */
  onQuery?: (sql: string) => void;
}

/** Starts a real server on a free loopback port against a fresh database. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  let database: { url: string; drop(): Promise<void> } | null = null;
  let databaseUrl = options.databaseUrl;
  if (options.backend === "postgres" && !databaseUrl) {
    database = await createPostgresDatabase();
    databaseUrl = database.url;
  }
  const env: Record<string, string> = {
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}),
    ...options.env,
  };
  const config: Config = loadConfig(env);
  const log = createLogger(config.logLevel);
  const running = await startServer(config, log, {
    inMemory: options.backend === "pglite" && !options.dataDir,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
  });

  const gql = async <T>(query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(`${running.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  };
  return {
    ...running,
    backend: options.backend,
    gql,
    async data<T>(query: string, variables?: Record<string, unknown>) {
      const result = await gql<T>(query, variables);
      if (result.errors?.length) {
        throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      }
      return result.data as T;
    },
    async close() {
      await running.stop();
      await database?.drop();
    },
  };
}

/** Returns the first error code of a response, for one-line assertions. */
export function errorCode(response: GraphQLResponse<unknown>): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}
