/**
 * Child process with a bare `ws` WebSocketServer, the baseline of the subscription benchmark.
 * On each broadcast request it stamps the time, builds one graphql-transport-ws "next" message
 * of the requested size and sends it to every connected client.
 */
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { wallClockMs } from "./stats";

export type BroadcastRequest = { type: "broadcast"; seq: string; size: number } | { type: "stop" };

export type BroadcastReply = { type: "ready"; url: string } | { type: "stopped" };

/** Builds a message of exactly `size` bytes (at least the unpadded length) with ASCII padding. */
function message(seq: string, size: number, sentAt: number): string {
  const build = (pad: string) =>
    JSON.stringify({ type: "next", id: "1", payload: { seq, sentAt, pad } });
  const bare = build("");
  return build("x".repeat(Math.max(0, size - Buffer.byteLength(bare))));
}

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });

server.on("listening", () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: "ready", url: `ws://127.0.0.1:${port}` } satisfies BroadcastReply);
});

process.on("message", (request: BroadcastRequest) => {
  if (request.type === "broadcast") {
    const text = message(request.seq, request.size, wallClockMs());
    for (const client of server.clients) client.send(text);
    return;
  }
  for (const client of server.clients) client.terminate();
  server.close(() => {
    process.send?.({ type: "stopped" } satisfies BroadcastReply);
    process.disconnect?.();
  });
});
process.on("disconnect", () => {
  for (const client of server.clients) client.terminate();
  server.close(() => process.exit(0));
});
