import type { IncomingMessage, ServerResponse } from "node:http";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "../logger";

/** One result of a subscription. Yoga serializes it with `stringify` when it has one. */
interface StreamResult {
  data?: Record<string, { id?: unknown } | null> | null;
  stringify?: (result: unknown) => string;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<StreamResult> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === "function";
}

/** Returns the result with a stringify that appends its root field's id as an `id:` line. */
function withEventId(value: StreamResult): StreamResult {
  const root = value.data ? Object.values(value.data)[0] : null;
  const id = root?.id;
  if (typeof id !== "string" || !/^\d+$/.test(id)) return value;
  // A copy, because identical subscriptions share one result object.
  return { ...value, stringify: (sanitized: unknown) => `${JSON.stringify(sanitized)}\nid: ${id}` };
}

/**
 * Maps each result of a subscription through withEventId. It is a hand-written iterator rather
 * than an async generator, because ending a generator waits for its pending await, so a stream
 * with no events would never end when its client disconnects.
 */
function withEventIds(source: AsyncIterator<StreamResult>): AsyncIterableIterator<StreamResult> {
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      const step = await source.next();
      return step.done ? step : { done: false, value: withEventId(step.value) };
    },
    return: (value?: unknown) =>
      source.return ? source.return(value) : Promise.resolve({ done: true, value }),
    throw: (error?: unknown) => (source.throw ? source.throw(error) : Promise.reject(error)),
  };
}

/**
 * Gives each server-sent event of a subscription whose root field selects `id` that id as the
 * event's `id:` field, so that an EventSource sends it back as Last-Event-ID when it
 * reconnects. graphql-yoga 5.24 (plugins/result-processor/sse.js) writes `data: ` followed by
 * the result's own `stringify` when it has one, so the id goes on the next line of that event.
 */
export function eventStreamIds(): Plugin {
  return {
    onResultProcess({ request, result, setResult }) {
      if (!isAsyncIterable(result)) return;
      if (!request.headers.get("accept")?.includes("text/event-stream")) return;
      setResult(withEventIds(result[Symbol.asyncIterator]()) as never);
    },
  };
}

const STREAM_ACCEPT = /\*\/\*|text\/(\*|event-stream)/i;

export interface EventStreamOptions {
  /** How long a stream with data waiting may send none of it before it is closed. */
  sendTimeoutMs: number;
  log: Logger;
}

/**
 * Returns the bytes of a response's socket that the kernel has taken: what Node handed to libuv
 * (`_bytesDispatched`) less libuv's write queue. The count grows while the client reads, even
 * during one large write and however much the server queues meanwhile. Both fields are Node 20
 * internals. Without them, the negated length of the response's buffer serves instead.
 */
function sentBytes(res: ServerResponse): number {
  const socket = res.socket as unknown as {
    _bytesDispatched?: number;
    _handle?: { writeQueueSize?: number };
  } | null;
  const dispatched = socket?._bytesDispatched;
  const queued = socket?._handle?.writeQueueSize;
  if (dispatched === undefined || queued === undefined) return -res.writableLength;
  return dispatched - queued;
}

/**
 * Tracks the open server-sent event responses of an HTTP server. They stay open as long as the
 * subscription runs, so a graceful shutdown that waits for them would wait for its timeout.
 *
 * Yoga writes each event only after the previous one drained, so a client that stops reading
 * keeps at most one event in memory, but its connection and subscription would stay open. A
 * response with data waiting that sends none of it for sendTimeoutMs is therefore destroyed.
 * The client sees a lost connection and resubscribes with its last event id, as a WebSocket
 * client does after close code 1013. A slow client that still takes data is left alone.
 *
 * NOTE: the kernel buffers data between the server and the client's reads, up to a few MB on
 * Linux. A client that needs longer than sendTimeoutMs to read what those buffers hold lets the
 * server send nothing for that long, so it is closed as stalled.
 */
export function trackEventStreams(options: EventStreamOptions) {
  const { sendTimeoutMs, log } = options;
  /**
   * Open streams. While data waits, `waitingSince` is the time the stream last sent some of it
   * and `sent` is the sentBytes count at that time. Both are null while no data waits.
   */
  const open = new Map<
    ServerResponse,
    { requestId: string | null; waitingSince: number | null; sent: number | null }
  >();
  let watchdog: NodeJS.Timeout | null = null;

  const check = () => {
    const now = Date.now();
    for (const [res, stream] of open) {
      if (!res.writableNeedDrain) {
        stream.waitingSince = null;
        stream.sent = null;
        continue;
      }
      const sent = sentBytes(res);
      if (stream.sent === null || sent > stream.sent) {
        stream.waitingSince = now;
        stream.sent = sent;
        continue;
      }
      if (now - (stream.waitingSince ?? now) <= sendTimeoutMs) continue;
      log.warn(
        { requestId: stream.requestId, unsentBytes: res.writableLength },
        `client too slow: the event stream sent nothing for ${sendTimeoutMs} ms`,
      );
      open.delete(res);
      res.destroy();
    }
    if (open.size === 0 && watchdog) {
      clearInterval(watchdog);
      watchdog = null;
    }
  };

  return {
    /**
     * Records the response unless the request's Accept rules out server-sent events. Yoga
     * 5.24 responds to a subscription with them whenever Accept is missing, or names
     * `text/event-stream` or a wildcard that covers it.
     */
    add(req: IncomingMessage, res: ServerResponse) {
      const { accept } = req.headers;
      if (accept !== undefined && !STREAM_ACCEPT.test(accept)) return;
      const requestId = req.headers["x-request-id"];
      open.set(res, {
        requestId: typeof requestId === "string" ? requestId : null,
        waitingSince: null,
        sent: null,
      });
      res.once("close", () => open.delete(res));
      if (!watchdog) {
        watchdog = setInterval(check, Math.max(25, Math.floor(sendTimeoutMs / 4)));
        watchdog.unref();
      }
    },
    /**
     * Drops every open stream's connection without a `complete` event, so clients see a lost
     * connection and resubscribe with their last event id rather than treat the stream as done.
     */
    destroyAll() {
      for (const res of open.keys()) res.destroy();
      open.clear();
      if (watchdog) clearInterval(watchdog);
      watchdog = null;
    },
    get size() {
      return open.size;
    },
  };
}
