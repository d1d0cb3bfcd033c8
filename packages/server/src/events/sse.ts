import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../logger";

export interface EventStreamOptions {
  /** How long a stream may go without its client reading before it is closed. */
  sendTimeoutMs: number;
  log: Logger;
}

/**
 * Bytes of a response still waiting for the kernel to take them. libuv's write queue of the
 * socket shrinks as the client reads, even while Yoga's one write of a large event is still
 * under way. writableLength drops only when such a write has finished.
 */
function unsentBytes(res: ServerResponse): number {
  const handle = (res.socket as unknown as { _handle?: { writeQueueSize?: number } } | null)
    ?._handle;
  return handle?.writeQueueSize ?? res.writableLength;
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
 */
export function trackEventStreams(options: EventStreamOptions) {
  const { sendTimeoutMs, log } = options;
  /**
   * Open streams. While data waits, `waitingSince` is when the stream last sent some of it, and
   * `unsent` is what was left then. Both are null while nothing waits.
   */
  const open = new Map<
    ServerResponse,
    { requestId: string | null; waitingSince: number | null; unsent: number | null }
  >();
  let watchdog: NodeJS.Timeout | null = null;

  const check = () => {
    const now = Date.now();
    for (const [res, stream] of open) {
      if (!res.writableNeedDrain) {
        stream.waitingSince = null;
        stream.unsent = null;
        continue;
      }
      const unsent = unsentBytes(res);
      if (stream.unsent === null || unsent < stream.unsent) {
        stream.waitingSince = now;
        stream.unsent = unsent;
        continue;
      }
      if (now - (stream.waitingSince ?? now) <= sendTimeoutMs) continue;
      log.warn(
        { requestId: stream.requestId, unsentBytes: unsent },
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
    /** Records the response when the request accepts `text/event-stream`. */
    add(req: IncomingMessage, res: ServerResponse) {
      if (!req.headers.accept?.includes("text/event-stream")) return;
      const requestId = req.headers["x-request-id"];
      open.set(res, {
        requestId: typeof requestId === "string" ? requestId : null,
        waitingSince: null,
        unsent: null,
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
