/**
 * Child process that runs the product's server on a free loopback port against DATABASE_URL.
 * While capture is on, it records the SQL text and parameters that reach `pg`, so the
 * benchmarks can run exactly the statements Prisma sent, directly.
 *
 * Messages from the parent: `{ type: "capture", on }`, `{ type: "stop" }`.
 * Messages to the parent: `{ type: "ready", url }`, `{ type: "capturing" }` (capture is on),
 * `{ type: "captured", statements }` (capture is off), `{ type: "stopped" }`,
 * `{ type: "failed", message }`.
 */
import pg from "pg";
import { startServer } from "../src/app";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/logger";

export interface CapturedStatement {
  text: string;
  values: unknown[];
  /** Backend process id of the connection, to tell transactions and pool connections apart. */
  connection: number | null;
}

export type ServerRequest = { type: "capture"; on: boolean } | { type: "stop" };

export type ServerReply =
  | { type: "ready"; url: string }
  | { type: "capturing" }
  | { type: "captured"; statements: CapturedStatement[] }
  | { type: "stopped" }
  | { type: "failed"; message: string };

let capturing = false;
let captured: CapturedStatement[] = [];

type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;
const originalQuery = pg.Client.prototype.query as unknown as QueryFn;

function record(client: pg.Client, args: unknown[]) {
  const [first, second] = args;
  const config = typeof first === "string" ? { text: first } : (first as pg.QueryConfig);
  if (typeof config?.text !== "string") return;
  const values = Array.isArray(second) ? second : (config.values ?? []);
  const connection = (client as unknown as { processID?: number }).processID ?? null;
  captured.push({ text: config.text, values: [...values], connection });
}

// One boolean check per query while not capturing, so measurements are unaffected.
pg.Client.prototype.query = function patchedQuery(this: pg.Client, ...args: unknown[]) {
  if (capturing) record(this, args);
  return originalQuery.apply(this, args);
} as unknown as typeof pg.Client.prototype.query;

function send(message: ServerReply) {
  process.send?.(message);
}

async function main() {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  const server = await startServer(config, log);

  process.on("message", (message: ServerRequest) => {
    if (message.type === "capture") {
      if (message.on) captured = [];
      capturing = message.on;
      send(message.on ? { type: "capturing" } : { type: "captured", statements: captured });
      return;
    }
    if (message.type === "stop") {
      server.stop().then(
        () => {
          send({ type: "stopped" });
          process.disconnect?.();
        },
        (error: unknown) => send({ type: "failed", message: String(error) }),
      );
    }
  });
  process.on("disconnect", () => {
    void server.stop().finally(() => process.exit(0));
  });
  send({ type: "ready", url: server.url });
}

main().catch((error: unknown) => {
  send({
    type: "failed",
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exitCode = 1;
});
