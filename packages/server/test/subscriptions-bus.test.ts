import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { QueryOptions, SqlDatabase } from "../src/db/sql";
import { EventBus, type EventBusOptions } from "../src/events/bus";
import type { PrismaClient } from "../src/generated/prisma/client";
import {
  comment,
  createIncident,
  type LiveServer,
  range,
  sleep,
  startLiveServer,
  storedIdsAfter,
  waitUntil,
} from "./live-support";
import { BACKENDS } from "./support";

/** Wraps the client so each events read, after its query ran, waits while the gate is closed. */
/** SQL access whose reads of new events can be held after their query has run. */
function gatedReads(sql: SqlDatabase) {
  let open: Promise<void> = Promise.resolve();
  let release = () => {};
  let reads = 0;
  const gated: SqlDatabase = {
    ...sql,
    async query<T>(text: string, params?: unknown[], options?: QueryOptions) {
      const rows = await sql.query<T>(text, params, options);
      if (/FROM incident_events e JOIN users u/.test(text)) {
        reads++;
        await open;
      }
      return rows;
    },
  };
  return {
    sql: gated,
    get reads() {
      return reads;
    },
    close() {
      open = new Promise((resolve) => {
        release = resolve;
      });
    },
    open() {
      release();
      open = Promise.resolve();
    },
  };
}

describe.each(BACKENDS)("event bus on %s", (backend) => {
  let server: LiveServer;
  let key: string;
  const buses: EventBus[] = [];
  const log = pino({ level: "silent" });
  /** The server's SQL access with LISTEN replaced, so only explicit wakes read. */
  const deaf = (onListen: () => Promise<void> = async () => {}): SqlDatabase => ({
    ...server.services.db.sql,
    listen: async () => {
      await onListen();
      return async () => {};
    },
  });
  const newBus = (prisma: PrismaClient, sql: SqlDatabase, options: EventBusOptions = {}) => {
    const bus = new EventBus(prisma, sql, log, { pollMs: 600_000, ...options });
    buses.push(bus);
    return bus;
  };
  const head = async () => (await storedIdsAfter(server)).at(-1) ?? 0;

  beforeAll(async () => {
    server = await startLiveServer({ backend });
    key = await createIncident(server);
  });
  afterEach(async () => {
    for (const bus of buses.splice(0)) await bus.close();
  });
  afterAll(() => server.close());

  it("serves the buffer boundaries from memory", async () => {
    const bus = newBus(server.services.prisma, deaf(), { recentLimit: 5, pageSize: 3 });
    await bus.start();
    for (let i = 0; i < 8; i++) await comment(server, key);
    const last = await head();
    bus.wake();
    await waitUntil(() => bus.headId === BigInt(last), "bus at the head");

    const ids = (after: number) => bus.recentAfter(BigInt(after))?.map((e) => Number(e.id));
    expect(ids(last)).toEqual([]);
    expect(ids(last + 3)).toEqual([]);
    expect(ids(last - 1)).toEqual([last]);
    expect(ids(last - 5)).toEqual(range(last - 4, last));
    expect(ids(last - 6)).toBeUndefined();
    expect(ids(0)).toBeUndefined();
  });

  it("serves ids after a gap from memory", async () => {
    const bus = newBus(server.services.prisma, deaf(), { recentLimit: 50 });
    await bus.start();
    await comment(server, key);
    const beforeGap = await head();
    await server.services.db.sql.query(
      "UPDATE counters SET value = value + 5 WHERE name = 'event'",
    );
    await comment(server, key);
    await comment(server, key);
    const last = await head();
    bus.wake();
    await waitUntil(() => bus.headId === BigInt(last), "bus at the head");

    const ids = (after: number) => bus.recentAfter(BigInt(after))?.map((e) => Number(e.id));
    expect(last - beforeGap).toBe(7);
    expect(ids(beforeGap)).toEqual([last - 1, last]);
    expect(ids(last - 1)).toEqual([last]);
  });

  it("reads again when woken during a read", async () => {
    const gate = gatedReads(deaf());
    const bus = newBus(server.services.prisma, gate.sql);
    await bus.start();
    await waitUntil(() => gate.reads === 1, "the start-up read");

    gate.close();
    bus.wake();
    await waitUntil(() => gate.reads === 2, "a read that has run its query");
    await comment(server, key);
    const committed = await head();
    bus.wake();
    gate.open();

    await waitUntil(() => bus.headId === BigInt(committed), "the commit read by a second read");
    expect(gate.reads).toBe(3);
  });

  it("reads a commit made while LISTEN starts", async () => {
    let committed = 0;
    const bus = newBus(
      server.services.prisma,
      deaf(async () => {
        await comment(server, key);
        committed = await head();
      }),
    );

    await bus.start();

    await waitUntil(() => bus.headId === BigInt(committed), "the commit read", 2_000);
  });

  it("wakes a waiter when a read finds events", async () => {
    const bus = newBus(server.services.prisma, deaf());
    await bus.start();
    let woken = false;
    void bus.waitForNewerThan(bus.headId).then(() => {
      woken = true;
    });
    await comment(server, key);
    await sleep(20);
    expect(woken).toBe(false);

    bus.wake();

    await waitUntil(() => woken, "the waiter woken");
    expect(bus.waiterCount).toBe(0);
  });

  it("removes a waiter whose signal aborts", async () => {
    const bus = newBus(server.services.prisma, deaf());
    await bus.start();
    const controller = new AbortController();
    const waiting = bus.waitForNewerThan(bus.headId, controller.signal);
    expect(bus.waiterCount).toBe(1);

    controller.abort();
    await waiting;

    expect(bus.waiterCount).toBe(0);
  });

  it("wakes every waiter on close", async () => {
    const bus = newBus(server.services.prisma, deaf());
    await bus.start();
    const waiting = [bus.waitForNewerThan(bus.headId), bus.waitForNewerThan(bus.headId)];

    await bus.close();

    await expect(Promise.all(waiting)).resolves.toBeDefined();
    expect(bus.waiterCount).toBe(0);
  });

  it("stops paging when closed during a read", async () => {
    const gate = gatedReads(deaf());
    const bus = newBus(server.services.prisma, gate.sql, { pageSize: 1 });
    await bus.start();
    const start = Number(bus.headId);
    for (let i = 0; i < 10; i++) await comment(server, key);

    gate.close();
    bus.wake();
    await waitUntil(() => gate.reads >= 2, "paging started");
    const closing = bus.close();
    gate.open();
    await closing;
    const headAtClose = Number(bus.headId);
    await sleep(50);

    expect(headAtClose).toBeLessThan(start + 10);
    expect(Number(bus.headId)).toBe(headAtClose);
  });
});
