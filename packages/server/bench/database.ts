import { randomBytes } from "node:crypto";
import pg from "pg";
import { UsageError } from "./options";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** A database created for one benchmark run and dropped at its end. */
export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Rejects a server URL that is not on loopback, because the benchmarks send load to it. */
export function checkLoopback(adminUrl: string): void {
  const host = new URL(adminUrl).hostname;
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new UsageError(
      `--admin-url must point to a loopback PostgreSQL server; got host "${host}"`,
    );
  }
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a random name on the server of adminUrl. */
export async function createDatabase(adminUrl: string, label: string): Promise<BenchDatabase> {
  const name = `incident_bench_${label}_${randomBytes(4).toString("hex")}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withAdmin(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      ).then(() => undefined),
  };
}

/** Returns the server version string, such as "PostgreSQL 15.20 (Debian ...) on x86_64 ...". */
export async function serverVersion(adminUrl: string): Promise<string> {
  return withAdmin(adminUrl, async (client) => {
    const result = await client.query<{ version: string }>("SELECT version() AS version");
    return result.rows[0]?.version ?? "unknown";
  });
}
