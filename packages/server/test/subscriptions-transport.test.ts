import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { SLOW_CONSUMER_CLOSE_CODE } from "../src/http/websocket";
import {
  closed,
  connectionIdOf,
  createIncident,
  EventStream,
  handshake,
  type LiveServer,
  nextMessage,
  rawSocket,
  Subscriber,
  sleep,
  startLiveServer,
  storedIdsAfter,
  waitUntil,
} from "./live-support";
import { BACKENDS } from "./support";

const MAX_BUFFERED_BYTES = 256 * 1024;
const SEND_TIMEOUT_MS = 500;
/** Each event of the big subscription carries the description twice: about 160 KB. */
const DESCRIPTION_LENGTH = 80_000;
const BIG_EVENTS = `
  subscription ($after: ID) { incidentEvents(after: $after) { id after incident { description } } }
`;

function subscribeRaw(socket: WebSocket, id: string, after: number) {
  socket.send(
    JSON.stringify({
      id,
      type: "subscribe",
      payload: { query: BIG_EVENTS, variables: { after: String(after) } },
    }),
  );
}

describe.each(BACKENDS)("slow consumers on %s", (backend) => {
  let server: LiveServer;

  beforeAll(async () => {
    server = await startLiveServer({
      backend,
      env: {
        DESCRIPTION_MAX_LENGTH: String(DESCRIPTION_LENGTH),
        WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED_BYTES),
        WS_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS),
        WS_KEEPALIVE_MS: "60000",
      },
    });
  });
  afterAll(() => server.close());

  it("cuts off stalled clients and keeps the others", async () => {
    await createIncident(server);
    const after = (await storedIdsAfter(server)).at(-1) as number;
    const fast = new Subscriber(server.wsUrl, { after: String(after) });
    // One operation: at most one message waits, so only the send timeout can trip.
    const stalled = await handshake(server.wsUrl);
    subscribeRaw(stalled, "1", after);
    // Many operations: one waiting message each, so the buffer limit trips first.
    const crowded = await handshake(server.wsUrl);
    for (let i = 0; i < 12; i++) subscribeRaw(crowded, String(i), after);
    const stalledId = connectionIdOf(server, stalled);
    const crowdedId = connectionIdOf(server, crowded);
    const stalledClosed = closed(stalled);
    const crowdedClosed = closed(crowded);
    stalled.pause();
    crowded.pause();

    const cutOff = (connectionId: string) =>
      server.logs.find(
        (r) => r.connectionId === connectionId && r.msg.startsWith("client too slow"),
      );
    // Each client reads again once cut off, so it takes in the close frame before the grace ends.
    const resumeWhenCutOff = async (socket: WebSocket, connectionId: string) => {
      await waitUntil(() => !!cutOff(connectionId), `${connectionId} cut off`, 20_000);
      socket.resume();
    };
    const resumed = Promise.all([
      resumeWhenCutOff(stalled, stalledId),
      resumeWhenCutOff(crowded, crowdedId),
    ]);

    const description = "x".repeat(DESCRIPTION_LENGTH);
    for (let i = 0; i < 40; i++) await createIncident(server, { description });
    const expected = await storedIdsAfter(server, after);
    await resumed;
    await fast.waitForId(expected.at(-1) as number);

    const stalledClose = await stalledClosed;
    const crowdedClose = await crowdedClosed;
    expect(stalledClose.code).toBe(SLOW_CONSUMER_CLOSE_CODE);
    expect(stalledClose.reason).toBe(
      `client too slow: no message was written within ${SEND_TIMEOUT_MS} ms`,
    );
    expect(crowdedClose.code).toBe(SLOW_CONSUMER_CLOSE_CODE);
    expect(crowdedClose.reason).toBe(
      `client too slow: more than ${MAX_BUFFERED_BYTES} bytes waiting to be sent`,
    );
    // What waited in memory was one message per operation, however many events were made.
    expect(cutOff(stalledId)?.pendingMessages).toBe(1);
    expect(cutOff(crowdedId)?.pendingMessages as number).toBeLessThanOrEqual(12);
    expect(cutOff(stalledId)?.bufferedAmount as number).toBeLessThan(MAX_BUFFERED_BYTES);
    expect(fast.ids()).toEqual(expected);
    await fast.dispose();
  });
});

/** Description of the one large event: it travels twice, about 8 MB, more than the kernel buffers. */
const LARGE_DESCRIPTION_LENGTH = 4_000_000;
/** Long enough that a test worker slowed by the rest of the suite still reads in time. */
const STREAM_SEND_TIMEOUT_MS = 2_000;

/** Reads at most `burst` bytes every 100 ms from the socket and counts what it read. */
function readSlowly(socket: Socket, burst: number) {
  let received = 0;
  let sinceBreak = 0;
  socket.on("data", (chunk: Buffer) => {
    received += chunk.length;
    sinceBreak += chunk.length;
    if (sinceBreak < burst) return;
    sinceBreak = 0;
    socket.pause();
    setTimeout(() => socket.resume(), 100);
  });
  return { bytes: () => received };
}

/** Opens a server-sent events subscription to BIG_EVENTS on a raw socket, past the headers. */
async function rawEventStream(
  server: LiveServer,
  requestId: string,
  after: number,
  accept = "text/event-stream",
) {
  const socket = connect(server.port, "127.0.0.1");
  await once(socket, "connect");
  const body = JSON.stringify({ query: BIG_EVENTS, variables: { after: String(after) } });
  socket.write(
    `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: ${accept}\r\n` +
      `content-type: application/json\r\nx-request-id: ${requestId}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  const [head] = (await once(socket, "data")) as [Buffer];
  expect(head.toString()).toMatch(/^HTTP\/1\.1 200/);
  return socket;
}

describe.each(BACKENDS)("slow server-sent events clients on %s", (backend) => {
  let server: LiveServer;

  beforeAll(async () => {
    server = await startLiveServer({
      backend,
      env: {
        DESCRIPTION_MAX_LENGTH: String(LARGE_DESCRIPTION_LENGTH),
        MAX_REQUEST_BYTES: String(LARGE_DESCRIPTION_LENGTH + 64 * 1024),
        WS_SEND_TIMEOUT_MS: String(STREAM_SEND_TIMEOUT_MS),
      },
    });
  });
  afterAll(() => server.close());

  const cutOff = (requestId: string) =>
    server.logs.find((r) => r.requestId === requestId && r.msg.startsWith("client too slow"));

  it("keeps a stream whose client reads slowly", async () => {
    await createIncident(server);
    const after = (await storedIdsAfter(server)).at(-1) as number;
    const requestId = `slow-stream-${backend}`;
    const slow = await rawEventStream(server, requestId, after);
    // The client takes at most 128 KB every 100 ms, about 1.3 MB/s: the event takes 6 s.
    const read = readSlowly(slow, 128 * 1024);

    await createIncident(server, { description: "y".repeat(LARGE_DESCRIPTION_LENGTH) });
    await waitUntil(
      () => read.bytes() > 2 * LARGE_DESCRIPTION_LENGTH || slow.destroyed,
      "the large event read in full",
      30_000,
    );

    expect(cutOff(requestId)).toBeUndefined();
    expect(slow.destroyed).toBe(false);
    expect(read.bytes()).toBeGreaterThan(2 * LARGE_DESCRIPTION_LENGTH);
    slow.destroy();
  });

  it("keeps a slow stream under load", async () => {
    await createIncident(server);
    const after = (await storedIdsAfter(server)).at(-1) as number;
    const requestId = `slow-busy-stream-${backend}`;
    const slow = await rawEventStream(server, requestId, after);
    // The client reads about 320 KB/s, less than the events below bring, so data waits all along.
    const read = readSlowly(slow, 32 * 1024);

    const description = "z".repeat(2_000);
    const until = Date.now() + 3 * STREAM_SEND_TIMEOUT_MS;
    const produce = async () => {
      while (Date.now() < until) await createIncident(server, { description });
    };
    await Promise.all([produce(), produce(), produce(), produce()]);

    expect(cutOff(requestId)).toBeUndefined();
    expect(slow.destroyed).toBe(false);
    expect(read.bytes()).toBeGreaterThan(STREAM_SEND_TIMEOUT_MS * 200);
    slow.destroy();
  });

  it.each([
    ["text/event-stream", "stalled-stream"],
    ["*/*", "stalled-any"],
  ])("closes a stream with accept %s that its client stops reading", async (accept, name) => {
    await createIncident(server);
    const after = (await storedIdsAfter(server)).at(-1) as number;
    const reading = new EventStream(server.url, { after: String(after) });
    const requestId = `${name}-${backend}`;
    const stalled = await rawEventStream(server, requestId, after, accept);
    stalled.pause();
    const stalledClosed = once(stalled, "close");

    const description = "x".repeat(DESCRIPTION_LENGTH);
    for (let i = 0; i < 40; i++) await createIncident(server, { description });
    await waitUntil(() => !!cutOff(requestId), "the stalled stream cut off", 20_000);
    stalled.resume();
    await stalledClosed;

    expect(cutOff(requestId)?.msg).toBe(
      `client too slow: the event stream sent nothing for ${STREAM_SEND_TIMEOUT_MS} ms`,
    );
    const expected = await storedIdsAfter(server, after);
    await reading.waitForId(expected.at(-1) as number);
    expect(reading.ids()).toEqual(expected);
    reading.close();
  });
});

describe.each(BACKENDS)("connection lifecycle on %s", (backend) => {
  let server: LiveServer;

  beforeAll(async () => {
    server = await startLiveServer({
      backend,
      env: { WS_KEEPALIVE_MS: "200", WS_INIT_TIMEOUT_MS: "300" },
    });
  });
  afterAll(() => server.close());

  it("pings a connected client", async () => {
    const socket = await handshake(server.wsUrl);
    let pings = 0;
    socket.on("ping", () => pings++);

    await sleep(700);

    expect(pings).toBeGreaterThanOrEqual(2);
    expect(socket.readyState).toBe(socket.OPEN);
    socket.close();
  });

  it("drops a client that stops answering pings", async () => {
    const socket = await handshake(server.wsUrl, { autoPong: false });
    const connectionId = connectionIdOf(server, socket);

    const close = await closed(socket);

    expect(close.code).toBe(1006);
    await waitUntil(
      () =>
        server.logs.some((r) => r.connectionId === connectionId && r.msg === "websocket closed"),
      "close logged",
    );
  });

  it("closes a client that never initialises with 4408", async () => {
    const socket = rawSocket(server.wsUrl);
    const started = Date.now();

    const close = await closed(socket);

    expect(close.code).toBe(4408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("logs connect, error and close with the connection id", async () => {
    const socket = await handshake(server.wsUrl);
    const connectionId = connectionIdOf(server, socket);
    const error = nextMessage(socket, "error");
    socket.send(
      JSON.stringify({ id: "1", type: "subscribe", payload: { query: "subscription { nope }" } }),
    );
    await error;
    socket.close(1000);
    await closed(socket);
    await waitUntil(
      () =>
        server.logs.some((r) => r.connectionId === connectionId && r.msg === "websocket closed"),
      "close logged",
    );

    const records = server.logs.filter((r) => r.connectionId === connectionId);
    const connected = records.find((r) => r.msg === "websocket connected");
    const failed = records.find((r) => r.msg === "websocket operation failed");
    const closeRecord = records.find((r) => r.msg === "websocket closed");
    expect(connected?.remote).toMatch(/^(::ffff:)?127\.0\.0\.1:\d+$/);
    expect(failed?.errors).toEqual([expect.stringContaining("nope")]);
    expect(failed?.operationId).toBe("1");
    expect(closeRecord?.code).toBe(1000);
  });
});
