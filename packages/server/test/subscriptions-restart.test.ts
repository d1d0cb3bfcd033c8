import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { bootstrap } from "../src/bootstrap";
import { openDatabase } from "../src/db/database";
import { GOING_AWAY_CLOSE_CODE } from "../src/http/websocket";
import { changeIncident } from "../src/incidents/service";
import {
  closed,
  comment,
  createIncident,
  EventStream,
  handshake,
  type LiveServer,
  Subscriber,
  startLiveServer,
  storedIdsAfter,
  tempDir,
} from "./live-support";
import { BACKENDS, createPostgresDatabase } from "./support";

const log = pino({ level: "silent" });

/** Adds comments through the service layer on a database that no server has open. */
async function commentOffline(
  options: { databaseUrl: string | null; dataDir: string },
  key: string,
  count: number,
) {
  const db = await openDatabase(options, log);
  try {
    const actor = await bootstrap(db.prisma, log);
    const ctx = {
      prisma: db.prisma,
      sql: db.sql,
      config: { limits: { description: 2_000 } },
      log,
      now: () => new Date(),
    } as Parameters<typeof changeIncident>[0];
    for (let i = 0; i < count; i++) {
      await changeIncident(ctx, actor, key, { type: "comment", body: `offline note ${i}` });
    }
  } finally {
    await db.close();
  }
}

/**
 * Runs events through a server, stops it, adds events while it is down, starts a new server on
 * the same database and checks that a client resuming with its last id gets every event once.
 */
async function checkResume(
  start: () => Promise<LiveServer>,
  duringDowntime: (key: string) => Promise<void>,
) {
  let server = await start();
  const key = await createIncident(server);
  const before = new Subscriber(server.wsUrl, { after: "0" });
  for (let i = 0; i < 3; i++) await comment(server, key);
  const head = (await storedIdsAfter(server)).at(-1) as number;
  await before.waitForId(head);
  const goingAway = closed(before.socket as NonNullable<typeof before.socket>);

  await server.close();
  const close = await goingAway;
  await duringDowntime(key);
  server = await start();
  try {
    const resumed = new Subscriber(server.wsUrl, { after: before.lastId() });
    for (let i = 0; i < 3; i++) await comment(server, key);
    const expected = await storedIdsAfter(server);
    await resumed.waitForId(expected.at(-1) as number);
    await resumed.dispose();

    expect(close.code).toBe(GOING_AWAY_CLOSE_CODE);
    expect(expected.length).toBe(4 + 3 + 3);
    expect([...before.ids(), ...resumed.ids()]).toEqual(expected);
  } finally {
    await before.dispose();
    await server.close();
  }
}

describe("resuming across a restart", () => {
  it("resumes on PGlite in a data folder", async () => {
    const dir = tempDir("incident-restart-");
    try {
      await checkResume(
        () => startLiveServer({ backend: "pglite", dataDir: dir.path }),
        (key) => commentOffline({ databaseUrl: null, dataDir: dir.path }, key, 3),
      );
    } finally {
      dir.remove();
    }
  });

  it.runIf(BACKENDS.includes("postgres"))("resumes on PostgreSQL", async () => {
    const database = await createPostgresDatabase();
    try {
      await checkResume(
        () => startLiveServer({ backend: "postgres", databaseUrl: database.url }),
        // Another server instance stays up while this one is down.
        async (key) => {
          const other = await startLiveServer({ backend: "postgres", databaseUrl: database.url });
          for (let i = 0; i < 3; i++) await comment(other, key);
          await other.close();
        },
      );
    } finally {
      await database.drop();
    }
  });
});

describe.each(BACKENDS)("shutdown on %s", (backend) => {
  it("ends streams and stalled sockets promptly", async () => {
    const server = await startLiveServer({
      backend,
      env: { SHUTDOWN_TIMEOUT_MS: "20000", WS_SEND_TIMEOUT_MS: "500" },
    });
    await createIncident(server);
    const stream = new EventStream(server.url, { after: "0" });
    await stream.waitForId(1);
    const socket = await handshake(server.wsUrl);
    const socketClosed = closed(socket);
    socket.pause();

    const started = Date.now();
    await server.close();
    const stopMs = Date.now() - started;
    socket.resume();
    await stream.done;

    // Without the cut-offs, the stream keeps the stop waiting for SHUTDOWN_TIMEOUT_MS and the
    // stalled socket for the 30 s that ws waits for a close handshake.
    expect(stopMs).toBeLessThan(3_000);
    expect(stream.completed).toBe(false);
    expect(stream.errors.length).toBe(1);
    expect((await socketClosed).code).toBe(GOING_AWAY_CLOSE_CODE);
  });
});
