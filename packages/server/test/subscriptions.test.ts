import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  categoryOf,
  change,
  closed,
  comment,
  createIncident,
  EventStream,
  type LiveServer,
  nextMessage,
  rawSocket,
  Subscriber,
  startLiveServer,
  storedIdsAfter,
  waitUntil,
} from "./live-support";
import { BACKENDS } from "./support";

async function headId(server: LiveServer): Promise<number> {
  return (await storedIdsAfter(server)).at(-1) ?? 0;
}

async function timelineIds(server: LiveServer, key: string): Promise<number[]> {
  const data = await server.data<{ incident: { timeline: { id: string }[] } }>(
    "query ($key: String!) { incident(key: $key) { timeline { id } } }",
    { key },
  );
  return data.incident.timeline.map((event) => Number(event.id));
}

describe.each(BACKENDS)("incidentEvents on %s", (backend) => {
  let server: LiveServer;
  const open: { dispose(): Promise<void> | void }[] = [];
  const subscribe = (variables: ConstructorParameters<typeof Subscriber>[1]) => {
    const subscriber = new Subscriber(server.wsUrl, variables);
    open.push(subscriber);
    return subscriber;
  };
  const stream = (
    variables: Record<string, unknown>,
    method: "GET" | "POST" = "POST",
    headers: Record<string, string> = {},
  ) => {
    const events = new EventStream(server.url, variables, method, undefined, headers);
    open.push({ dispose: () => events.close() });
    return events;
  };

  beforeAll(async () => {
    // Small pages and buffer, so replays cross page boundaries and the memory-to-table seam.
    server = await startLiveServer({
      backend,
      env: { EVENT_PAGE_SIZE: "7", EVENT_BUFFER_SIZE: "20" },
    });
  });
  afterEach(async () => {
    for (const item of open.splice(0)) await item.dispose();
    // Every ended subscription must release its wait on the bus.
    await waitUntil(() => server.services.bus.waiterCount === 0, "no subscription left waiting");
  });
  afterAll(() => server.close());

  it("delivers live events over graphql-ws", async () => {
    const subscriber = subscribe({});
    await waitUntil(() => server.services.bus.waiterCount === 1, "subscription waiting");

    const key = await createIncident(server);

    await waitUntil(() => subscriber.events.length === 1, "one event");
    expect(subscriber.events[0]?.type).toBe("CREATED");
    expect(subscriber.events[0]?.incident.key).toBe(key);
  });

  it("delivers replay and live events over POST server-sent events", async () => {
    const key = await createIncident(server);
    await comment(server, key);
    const after = (await headId(server)) - 2;

    const events = stream({ after: String(after) });
    await events.waitForId(after + 2);
    await comment(server, key, "relay restarted");
    await events.waitForId(after + 3);

    expect(events.contentType).toContain("text/event-stream");
    expect(events.ids()).toEqual([after + 1, after + 2, after + 3]);
  });

  it("labels server-sent events with their ids", async () => {
    const key = await createIncident(server);
    await comment(server, key);
    const after = (await headId(server)) - 2;

    const events = stream({ after: String(after) }, "GET");
    await events.waitForId(after + 2);

    expect(events.eventIds).toEqual([String(after + 1), String(after + 2)]);
  });

  it("resumes server-sent events from Last-Event-ID", async () => {
    const key = await createIncident(server);
    await comment(server, key);
    await comment(server, key, "second note");
    const head = await headId(server);

    // An EventSource reconnects with its first URL, so `after` is older than the header.
    const resumed = stream({ after: String(head - 3) }, "GET", {
      "last-event-id": String(head - 1),
    });
    await resumed.waitForId(head);
    await comment(server, key, "after the reconnect");
    await resumed.waitForId(head + 1);

    expect(resumed.ids()).toEqual([head, head + 1]);
  });

  it("rejects a malformed Last-Event-ID", async () => {
    const events = stream({}, "GET", { "last-event-id": "x1" });
    await waitUntil(() => events.errors.length > 0 || events.completed, "the stream to fail");

    expect(JSON.stringify(events.errors)).toContain('"field":"Last-Event-ID"');
    expect(JSON.stringify(events.errors)).toContain("VALIDATION_FAILED");
  });

  it("delivers events over GET server-sent events", async () => {
    const key = await createIncident(server);
    const after = (await headId(server)) - 1;

    const events = stream({ after: String(after) }, "GET");
    await events.waitForId(after + 1);
    await comment(server, key);
    await events.waitForId(after + 2);

    expect(events.ids()).toEqual([after + 1, after + 2]);
  });

  it("replays then streams live without gap or duplicate", async () => {
    const network = await categoryOf(server, "Network");
    const email = await categoryOf(server, "Email");
    const keys = await Promise.all(
      Array.from({ length: 40 }, () =>
        createIncident(server, { categoryId: network.categoryId, impact: "HIGH", urgency: "LOW" }),
      ),
    );
    const after = (await storedIdsAfter(server)).at(-100) as number;

    const all = subscribe({ after: String(after) });
    const filtered = subscribe({
      after: String(after),
      filter: { categoryId: [network.categoryId] },
    });
    // The burst starts with the subscriptions, so it commits before, during and after the replay.
    await Promise.all([
      ...keys.map((key) => comment(server, key, "packet loss on the uplink")),
      ...keys.slice(0, 10).map(() => createIncident(server, { categoryId: email.categoryId })),
    ]);

    const expected = await storedIdsAfter(server, after);
    const expectedFiltered = (
      await server.services.prisma.incidentEvent.findMany({
        where: { id: { gt: BigInt(after) }, categoryId: Number(network.categoryId) },
        orderBy: { id: "asc" },
        select: { id: true },
      })
    ).map((row) => Number(row.id));
    await all.waitForId(expected.at(-1) as number);
    await filtered.waitForId(expectedFiltered.at(-1) as number);

    expect(expected.length).toBeGreaterThan(150);
    expect(all.ids()).toEqual(expected);
    expect(filtered.ids()).toEqual(expectedFiltered);
  });

  it("resumes after a dropped connection exactly once", async () => {
    const key = await createIncident(server);
    const after = await headId(server);
    const first = subscribe({ after: String(after) });
    await first.waitForConnection();
    const burst = (async () => {
      for (let i = 0; i < 60; i++) await comment(server, key, `update ${i}`);
    })();

    await waitUntil(() => first.events.length >= 10, "ten events before the drop");
    const socket = first.socket as NonNullable<typeof first.socket>;
    const dropped = closed(socket);
    socket.terminate();
    await dropped;
    const second = subscribe({ after: first.lastId() });
    await burst;

    const expected = await storedIdsAfter(server, after);
    await second.waitForId(expected.at(-1) as number);
    expect(first.ids().length).toBeLessThan(expected.length);
    expect([...first.ids(), ...second.ids()]).toEqual(expected);
  });

  it("sends the event leaving a filter and none after", async () => {
    const network = await categoryOf(server, "Network");
    const email = await categoryOf(server, "Email");
    const start = await headId(server);
    const filters = {
      team: { teamId: [network.teamId] },
      status: { status: ["RESPONDING"] },
      priority: { priority: ["P1"] },
      category: { categoryId: [network.categoryId] },
    };
    const live = Object.fromEntries(
      Object.entries(filters).map(([name, filter]) => [
        name,
        subscribe({ after: String(start), filter }),
      ]),
    ) as Record<keyof typeof filters, Subscriber>;

    // A starts inside every filter, then leaves each one; it comes back into the status filter.
    const a = await createIncident(server, {
      categoryId: network.categoryId,
      impact: "HIGH",
      urgency: "HIGH",
    });
    await change(server, "acknowledgeIncident", { key: a });
    await comment(server, a);
    await change(server, "assignIncident", { key: a, teamId: email.teamId });
    await comment(server, a);
    await change(server, "prioritizeIncident", { key: a, impact: "LOW", urgency: "LOW" });
    await change(server, "categorizeIncident", { key: a, categoryId: email.categoryId });
    await change(server, "resolveIncident", { key: a, resolution: "relay replaced" });
    await comment(server, a);
    await change(server, "reopenIncident", { key: a, reason: "bounces again" });
    await comment(server, a);
    // B starts outside, then enters the team and priority filters.
    const b = await createIncident(server, {
      categoryId: email.categoryId,
      impact: "LOW",
      urgency: "LOW",
    });
    await change(server, "assignIncident", { key: b, teamId: network.teamId });
    await comment(server, b);
    await change(server, "prioritizeIncident", { key: b, impact: "HIGH", urgency: "HIGH" });
    await comment(server, b);
    // C matches every filter: once it arrives, everything before it has been delivered.
    const c = await createIncident(server, {
      categoryId: network.categoryId,
      impact: "HIGH",
      urgency: "HIGH",
    });
    await change(server, "acknowledgeIncident", { key: c });

    const aIds = await timelineIds(server, a);
    const bIds = await timelineIds(server, b);
    const cIds = await timelineIds(server, c);
    const sentinel = cIds.at(-1) as number;
    const pick = (ids: number[], ...indexes: number[]) => indexes.map((i) => ids[i] as number);
    // aIds: 0 created, 1 categorized, 2 prioritized P1, 3 acknowledged, 4 comment, 5 assigned
    // away, 6 comment, 7 prioritized P5, 8 categorized Email, 9 resolved, 10 comment,
    // 11 reopened, 12 comment. bIds: 0-2 created in Email at P5, 3 assigned to Network's team,
    // 4 comment, 5 prioritized P1, 6 comment.
    const expected: Record<keyof typeof filters, number[]> = {
      team: [...pick(aIds, 1, 2, 3, 4, 5), ...pick(bIds, 3, 4, 5, 6)],
      status: pick(aIds, 3, 4, 5, 6, 7, 8, 9, 11, 12),
      priority: [...pick(aIds, 2, 3, 4, 5, 6, 7), ...pick(bIds, 5, 6)],
      category: pick(aIds, 1, 2, 3, 4, 5, 6, 7, 8),
    };
    const replay = Object.fromEntries(
      Object.entries(filters).map(([name, filter]) => [
        name,
        subscribe({ after: String(start), filter }),
      ]),
    ) as Record<keyof typeof filters, Subscriber>;

    for (const name of Object.keys(filters) as (keyof typeof filters)[]) {
      await live[name].waitForId(sentinel);
      await replay[name].waitForId(sentinel);
      const ofAandB = (subscriber: Subscriber) =>
        subscriber.ids().filter((id) => id < (cIds[0] as number));
      expect(ofAandB(live[name]), `live ${name} filter`).toEqual(expected[name]);
      expect(ofAandB(replay[name]), `replayed ${name} filter`).toEqual(expected[name]);
    }
  });

  it("rejects an after newer than every event", async () => {
    const subscriber = subscribe({ after: String((await headId(server)) + 1_000) });
    await waitUntil(() => subscriber.errors.length > 0, "an error");

    const error = subscriber.errors[0] as { extensions?: { code?: string; field?: string } };
    expect(error.extensions?.code).toBe("VALIDATION_FAILED");
    expect(error.extensions?.field).toBe("after");
  });

  it("rejects an after that is not an id", async () => {
    const subscriber = subscribe({ after: "-1" });
    await waitUntil(() => subscriber.errors.length > 0, "an error");

    const error = subscriber.errors[0] as { extensions?: { code?: string } };
    expect(error.extensions?.code).toBe("VALIDATION_FAILED");
  });

  it("answers a syntax error and keeps the connection", async () => {
    const socket = rawSocket(server.wsUrl);
    open.push({ dispose: () => socket.terminate() });
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init" }));
    await nextMessage(socket, "connection_ack");

    const error = nextMessage(socket, "error");
    socket.send(
      JSON.stringify({ id: "1", type: "subscribe", payload: { query: "subscription {" } }),
    );
    expect((await error).id).toBe("1");

    const after = (await headId(server)) - 1;
    const next = nextMessage(socket, "next");
    socket.send(
      JSON.stringify({
        id: "2",
        type: "subscribe",
        payload: {
          query: "subscription ($after: ID) { incidentEvents(after: $after) { id } }",
          variables: { after: String(after) },
        },
      }),
    );
    expect(((await next).payload as { data: unknown }).data).toEqual({
      incidentEvents: { id: String(after + 1) },
    });
    expect(socket.readyState).toBe(socket.OPEN);
  });

  it("releases the wait when a subscription ends", async () => {
    const subscriber = subscribe({});
    await waitUntil(() => server.services.bus.waiterCount === 1, "subscription waiting");

    await subscriber.dispose();

    await waitUntil(() => server.services.bus.waiterCount === 0, "wait released on complete");
  });

  it("releases the wait when the socket drops", async () => {
    const subscriber = subscribe({});
    await waitUntil(() => server.services.bus.waiterCount === 1, "subscription waiting");

    subscriber.socket?.terminate();

    await waitUntil(() => server.services.bus.waiterCount === 0, "wait released on drop");
  });

  it("releases the wait when a server-sent stream ends", async () => {
    const events = stream({});
    await waitUntil(() => server.services.bus.waiterCount === 1, "stream waiting");

    events.close();

    await waitUntil(() => server.services.bus.waiterCount === 0, "wait released on abort");
  });
});
