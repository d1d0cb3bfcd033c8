/**
 * Child process holding many raw `ws` WebSocket clients, either subscribed to the server over
 * graphql-transport-ws or connected to the bare broadcast server. It records when each client
 * receives each expected message, so delivery latency and losses can be computed per client.
 * Both modes do the same work per message (one JSON.parse), so the client side costs alike.
 */
import WebSocket from "ws";
import { wallClockMs } from "./stats";

export type ClientMode = "graphql" | "bare";

export type ClientsRequest =
  | { type: "connect"; url: string; count: number; mode: ClientMode; query?: string }
  | { type: "expect"; labels: string[] }
  | { type: "collect"; timeoutMs: number }
  | { type: "close" };

export interface Collected {
  type: "collected";
  /** Receipt time (wall clock, ms) per expected label and client; NaN where none arrived. */
  receipts: Record<string, Float64Array>;
  /** Time the message was committed or sent, as the payload carries it, per label. */
  origins: Record<string, number>;
  /** Size in bytes of the message of each label. */
  sizes: Record<string, number>;
  duplicates: number;
  unexpected: number;
  /** Sockets closed since connecting, and the first errors seen. */
  closedSockets: number;
  errors: string[];
}

export type ClientsReply =
  | { type: "connected"; connected: number; failed: number; firstError: string | null }
  | { type: "expecting" }
  | Collected
  | { type: "closed" };

const CONNECT_BATCH = 50;

let sockets: WebSocket[] = [];
let receipts = new Map<string, Float64Array>();
let origins = new Map<string, number>();
let sizes = new Map<string, number>();
let remaining = 0;
let duplicates = 0;
let unexpected = 0;
let onComplete: (() => void) | null = null;
let closedSockets = 0;
const errors: string[] = [];

function send(message: ClientsReply) {
  process.send?.(message);
}

function noteError(message: string) {
  if (errors.length < 20) errors.push(message);
}

interface Parsed {
  label: string;
  origin: number;
}

/** Labels a subscription event by incident key and type, and a comment also by its body. */
function parseGraphql(message: Record<string, unknown>, socket: WebSocket): Parsed | null {
  if (message.type === "ping") {
    socket.send(JSON.stringify({ type: "pong" }));
    return null;
  }
  if (message.type !== "next") {
    noteError(`unexpected message ${JSON.stringify(message).slice(0, 300)}`);
    return null;
  }
  const payload = message.payload as {
    data?: {
      incidentEvents?: {
        type: string;
        note: string | null;
        recordedAt: string;
        incident: { key: string };
      };
    };
  };
  const event = payload.data?.incidentEvents;
  if (!event) {
    noteError(`event without data: ${JSON.stringify(message).slice(0, 300)}`);
    return null;
  }
  const base = `${event.incident.key}:${event.type}`;
  return {
    label: event.type === "COMMENTED" ? `${base}:${event.note}` : base,
    origin: Date.parse(event.recordedAt),
  };
}

function parseBare(message: Record<string, unknown>): Parsed {
  const payload = message.payload as { seq: string; sentAt: number };
  return { label: payload.seq, origin: payload.sentAt };
}

function onMessage(index: number, socket: WebSocket, mode: ClientMode, data: WebSocket.RawData) {
  const receivedAt = wallClockMs();
  const text = data.toString();
  const message = JSON.parse(text) as Record<string, unknown>;
  if (mode === "graphql" && message.type === "connection_ack") return;
  const parsed = mode === "graphql" ? parseGraphql(message, socket) : parseBare(message);
  if (!parsed) return;
  const times = receipts.get(parsed.label);
  if (!times) {
    unexpected++;
    return;
  }
  if (!Number.isNaN(times[index] as number)) {
    duplicates++;
    return;
  }
  times[index] = receivedAt;
  if (!origins.has(parsed.label)) {
    origins.set(parsed.label, parsed.origin);
    sizes.set(parsed.label, Buffer.byteLength(text));
  }
  remaining--;
  if (remaining === 0) onComplete?.();
}

/** Opens one client; resolves once it is subscribed (graphql) or open (bare). */
function open(index: number, request: Extract<ClientsRequest, { type: "connect" }>): Promise<void> {
  return new Promise((resolve, reject) => {
    const protocol = request.mode === "graphql" ? "graphql-transport-ws" : undefined;
    const socket = new WebSocket(request.url, protocol, { perMessageDeflate: false });
    let ready = false;
    socket.on("error", (error) => {
      noteError(`client ${index}: ${error.message}`);
      if (!ready) reject(error);
    });
    socket.on("close", (code, reason) => {
      closedSockets++;
      if (!ready) reject(new Error(`closed before ready: ${code} ${reason.toString()}`));
      else noteError(`client ${index} closed: ${code} ${reason.toString()}`);
    });
    socket.on("open", () => {
      if (request.mode === "graphql") {
        socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
      } else {
        ready = true;
        resolve();
      }
    });
    socket.on("message", (data) => {
      if (!ready && request.mode === "graphql") {
        const message = JSON.parse(data.toString()) as { type: string };
        if (message.type === "connection_ack") {
          socket.send(
            JSON.stringify({ id: "1", type: "subscribe", payload: { query: request.query } }),
          );
          ready = true;
          resolve();
        }
        return;
      }
      onMessage(index, socket, request.mode, data);
    });
    sockets[index] = socket;
  });
}

async function connect(request: Extract<ClientsRequest, { type: "connect" }>) {
  sockets = new Array(request.count);
  let failed = 0;
  let firstError: string | null = null;
  for (let start = 0; start < request.count; start += CONNECT_BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(start + CONNECT_BATCH, request.count); i++) {
      batch.push(
        open(i, request).catch((error: unknown) => {
          failed++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }),
      );
    }
    await Promise.all(batch);
  }
  send({ type: "connected", connected: request.count - failed, failed, firstError });
}

function expect(labels: string[]) {
  receipts = new Map(
    labels.map((label) => [label, new Float64Array(sockets.length).fill(Number.NaN)]),
  );
  origins = new Map();
  sizes = new Map();
  remaining = labels.length * sockets.length;
  duplicates = 0;
  unexpected = 0;
  send({ type: "expecting" });
}

function collect(timeoutMs: number) {
  const reply = () => {
    clearTimeout(timer);
    onComplete = null;
    send({
      type: "collected",
      receipts: Object.fromEntries(receipts),
      origins: Object.fromEntries(origins),
      sizes: Object.fromEntries(sizes),
      duplicates,
      unexpected,
      closedSockets,
      errors: [...errors],
    });
  };
  const timer = setTimeout(reply, timeoutMs);
  if (remaining === 0) reply();
  else onComplete = reply;
}

process.on("message", (request: ClientsRequest) => {
  switch (request.type) {
    case "connect":
      void connect(request);
      break;
    case "expect":
      expect(request.labels);
      break;
    case "collect":
      collect(request.timeoutMs);
      break;
    case "close":
      for (const socket of sockets) socket?.terminate();
      send({ type: "closed" });
      process.disconnect?.();
      break;
  }
});
process.on("disconnect", () => {
  for (const socket of sockets) socket?.terminate();
  process.exit(0);
});
