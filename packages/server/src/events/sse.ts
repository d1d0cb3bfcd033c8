import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Tracks the open server-sent event responses of an HTTP server. They stay open as long as the
 * subscription runs, so a graceful shutdown that waits for them would wait for its timeout.
 * NOTE: a server-sent events client that stops reading is never cut off, unlike a WebSocket
 * one. Yoga writes each event only after the previous one drained, so memory stays bounded,
 * but the connection and its subscription stay open.
 */
export function trackEventStreams() {
  const open = new Set<ServerResponse>();
  return {
    /** Records the response when the request accepts `text/event-stream`. */
    add(req: IncomingMessage, res: ServerResponse) {
      if (!req.headers.accept?.includes("text/event-stream")) return;
      open.add(res);
      res.once("close", () => open.delete(res));
    },
    /**
     * Drops every open stream's connection without a `complete` event, so clients see a lost
     * connection and resubscribe with their last event id rather than treat the stream as done.
     */
    destroyAll() {
      for (const res of open) res.destroy();
      open.clear();
    },
    get size() {
      return open.size;
    },
  };
}
