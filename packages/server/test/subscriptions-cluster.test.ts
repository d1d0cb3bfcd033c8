import { type ChildProcess, spawn } from "node:child_process";
import { type AddressInfo, connect as connectTcp, createServer, type Server } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database";
import {
  comment,
  createIncident,
  type LiveServer,
  range,
  Subscriber,
  sleep,
  startLiveServer,
  storedIdsAfter,
  waitUntil,
} from "./live-support";
import { BACKENDS, createPostgresDatabase } from "./support";

const SERVER_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A server started as its own process with `tsx src/main.ts`. */
interface ChildServer {
  url: string;
  wsUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

async function startChildServer(databaseUrl: string): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: SERVER_ROOT,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "info",
      NODE_ENV: "production",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const record = JSON.parse(line) as { msg?: string; url?: string };
      if (record.msg === "listening" && record.url) resolve(record.url);
    });
    child.once("exit", (code) => reject(new Error(`server process exited with ${code}`)));
  });
  return {
    url,
    wsUrl: `${url.replace(/^http/, "ws")}/graphql`,
    process: child,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function gqlAt(url: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
}

/** Backend pids of the database's sessions that wait on a lock. */
async function lockWaiters(admin: pg.Client, database: string): Promise<number[]> {
  const result = await admin.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
    [database],
  );
  return result.rows.map((row) => row.pid);
}

/** Starts a TCP proxy to the PostgreSQL server that can delay new connections. */
async function startDelayingProxy(target: URL) {
  let delayMs = 0;
  const sockets = new Set<{ destroy(): void }>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.pause();
    setTimeout(() => {
      const upstream = connectTcp(Number(target.port || 5432), target.hostname);
      sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      client.resume();
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on("error", close);
      upstream.on("error", close);
      client.on("close", close);
      upstream.on("close", close);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: url.toString(),
    delayNewConnections(ms: number) {
      delayMs = ms;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.runIf(BACKENDS.includes("postgres"))("servers sharing PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let databaseName: string;
  let server: LiveServer;
  let admin: pg.Client;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    databaseName = new URL(database.url).pathname.slice(1);
    server = await startLiveServer({
      backend: "postgres",
      databaseUrl: database.url,
      // Only LISTEN/NOTIFY delivers within a test's time, unless a test sets its own poll.
      env: { EVENT_POLL_MS: "600000" },
    });
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await server.close();
    await database.drop();
  });

  it("delivers changes made through another process", async () => {
    const child = await startChildServer(database.url);
    try {
      const key = await createIncident(server);
      const after = (await storedIdsAfter(server)).at(-1) as number;
      const inProcess = new Subscriber(server.wsUrl, { after: String(after) });
      const inChild = new Subscriber(child.wsUrl, { after: String(after) });

      // Interleaved writers on both processes, concurrent with each other.
      await Promise.all([
        (async () => {
          for (let i = 0; i < 25; i++) await comment(server, key, `in-process ${i}`);
        })(),
        (async () => {
          for (let i = 0; i < 25; i++) {
            await gqlAt(
              child.url,
              "mutation ($input: AddCommentInput!) { addComment(input: $input) { key } }",
              { input: { key, body: `child process ${i}` } },
            );
          }
        })(),
      ]);

      const expected = await storedIdsAfter(server, after);
      await inProcess.waitForId(expected.at(-1) as number);
      await inChild.waitForId(expected.at(-1) as number);
      expect(expected).toEqual(range(after + 1, after + 50));
      expect(inProcess.ids()).toEqual(expected);
      expect(inChild.ids()).toEqual(expected);
      await inProcess.dispose();
      await inChild.dispose();
    } finally {
      await child.stop();
    }
  });

  it("never passes an id whose transaction is open", async () => {
    const key = await createIncident(server);
    const start = (await storedIdsAfter(server)).at(-1) as number;
    const subscriber = new Subscriber(server.wsUrl, { after: String(start) });
    const writer = new pg.Client({ connectionString: database.url });
    await writer.connect();

    try {
      // Takes the next event id the way insertEvents does, and keeps the transaction open.
      await writer.query("BEGIN");
      const counterRow = await writer.query<{ value: string }>(
        "UPDATE counters SET value = value + 1 WHERE name = 'event' RETURNING value",
      );
      const heldId = Number(counterRow.rows[0]?.value);
      await writer.query(
        `INSERT INTO incident_events (id, incident_id, type, occurred_at, actor_id, note,
           snapshot, status, priority, category_id, team_id)
         SELECT $1, incident_id, 'COMMENTED', now(), actor_id, 'held transaction',
           snapshot, status, priority, category_id, team_id
         FROM incident_events WHERE id = $2`,
        [heldId, start],
      );
      await writer.query("SELECT pg_notify('incident_events', '')");

      // The API change needs the next id, so it must wait for the counter row lock.
      let mutationDoneAt = 0;
      const mutation = comment(server, key, "after the held one").then(() => {
        mutationDoneAt = Date.now();
      });
      await waitUntil(
        async () => (await lockWaiters(admin, databaseName)).length > 0,
        "the API transaction waiting on the counter row",
      );
      await sleep(300);
      const receivedWhileHeld = subscriber.ids();
      const committedAt = Date.now();
      await writer.query("COMMIT");
      await mutation;
      await subscriber.waitForId(heldId + 1);

      expect(heldId).toBe(start + 1);
      expect(receivedWhileHeld).toEqual([]);
      expect(mutationDoneAt).toBeGreaterThanOrEqual(committedAt);
      expect(subscriber.ids()).toEqual([heldId, heldId + 1]);
    } finally {
      await writer.query("ROLLBACK").catch(() => undefined);
      await writer.end();
      await subscriber.dispose();
    }
  });

  it("shows a sequence would let a reader skip an id", async () => {
    // The same race with ids from a sequence: nothing orders the commits, so the later id can
    // commit first, a reader moves its cursor past it, and the earlier id commits behind it.
    await admin.query("CREATE TABLE sequence_events (id BIGSERIAL PRIMARY KEY, note TEXT)");
    const first = new pg.Client({ connectionString: database.url });
    await first.connect();
    try {
      await first.query("BEGIN");
      await first.query("INSERT INTO sequence_events (note) VALUES ('first')");
      await admin.query("INSERT INTO sequence_events (note) VALUES ('second')");
      const seen = await admin.query<{ id: string }>(
        "SELECT id FROM sequence_events WHERE id > 0 ORDER BY id",
      );
      const cursor = Number(seen.rows.at(-1)?.id);
      await first.query("COMMIT");
      const next = await admin.query<{ id: string }>(
        "SELECT id FROM sequence_events WHERE id > $1 ORDER BY id",
        [cursor],
      );
      const all = await admin.query<{ id: string }>("SELECT id FROM sequence_events ORDER BY id");

      expect(seen.rows.map((row) => Number(row.id))).toEqual([2]);
      expect(next.rows).toEqual([]);
      expect(all.rows.map((row) => Number(row.id))).toEqual([1, 2]);
    } finally {
      await first.end();
    }
  });

  it("recovers the LISTEN connection", async () => {
    const key = await createIncident(server);
    const after = (await storedIdsAfter(server)).at(-1) as number;
    const subscriber = new Subscriber(server.wsUrl, { after: String(after) });
    await subscriber.waitForConnection();
    const restoredBefore = server.logs.filter((r) => r.msg === "LISTEN connection restored");

    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = $1 AND query = 'LISTEN "incident_events"'`,
      [databaseName],
    );
    // Committed while the listener is down, so its notification is lost.
    await comment(server, key, "during the outage");
    await subscriber.waitForId(after + 1, 5_000);
    await waitUntil(
      () => server.logs.filter((r) => r.msg === "LISTEN connection restored").length > 0,
      "LISTEN restored",
    );
    await comment(server, key, "after the outage");
    await subscriber.waitForId(after + 2, 5_000);

    expect(killed.rowCount).toBe(1);
    expect(restoredBefore).toEqual([]);
    expect(server.logs.some((r) => r.msg === "LISTEN connection failed; reconnecting")).toBe(true);
    expect(subscriber.ids()).toEqual([after + 1, after + 2]);
    await subscriber.dispose();
  });

  it("reads a change that sent no notification", async () => {
    const polling = await startLiveServer({
      backend: "postgres",
      databaseUrl: database.url,
      env: { EVENT_POLL_MS: "200" },
    });
    try {
      const start = (await storedIdsAfter(server)).at(-1) as number;
      const subscriber = new Subscriber(polling.wsUrl, { after: String(start) });
      // A spurious notification with a payload changes nothing: notifications carry no data.
      await admin.query("SELECT pg_notify('incident_events', 'id=999999')");
      await admin.query(
        `WITH next AS (
           UPDATE counters SET value = value + 1 WHERE name = 'event' RETURNING value)
         INSERT INTO incident_events (id, incident_id, type, occurred_at, actor_id, note,
           snapshot, status, priority, category_id, team_id)
         SELECT next.value, incident_id, 'COMMENTED', now(), actor_id, 'silent write',
           snapshot, status, priority, category_id, team_id
         FROM incident_events, next WHERE id = $1`,
        [start],
      );

      await subscriber.waitForId(start + 1, 3_000);
      expect(subscriber.ids()).toEqual([start + 1]);
      await subscriber.dispose();
    } finally {
      await polling.close();
    }
  });

  it("stops a LISTEN reconnect that is under way", async () => {
    const proxy = await startDelayingProxy(new URL(database.url));
    const log = pino({ level: "silent" });
    const db = await openDatabase({ databaseUrl: proxy.url, dataDir: "" }, log);
    const listening = async () =>
      (
        await admin.query(
          "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN \"reconnect_probe\"'",
          [databaseName],
        )
      ).rows.length;
    try {
      const unlisten = await db.sql.listen("reconnect_probe", () => {});
      expect(await listening()).toBe(1);

      // The reconnect starts after 100 ms, and its connection opens 500 ms later.
      proxy.delayNewConnections(500);
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN \"reconnect_probe\"'",
        [databaseName],
      );
      await sleep(250);
      await unlisten();
      await sleep(800);

      expect(await listening()).toBe(0);
    } finally {
      await db.close();
      await proxy.close();
    }
  });
});
