import { Child } from "./children";
import type { CapturedStatement, ServerReply, ServerRequest } from "./server-process";

export type { CapturedStatement };

/** The product's server in a child process, on a free loopback port. */
export interface BenchServer {
  url: string;
  pid: number | undefined;
  /** Runs fn and returns the SQL statements that the server sent to PostgreSQL meanwhile. */
  capture(fn: () => Promise<unknown>): Promise<CapturedStatement[]>;
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  databaseUrl: string;
  logFile: string;
  /** Open files the server needs, such as one per WebSocket client plus a margin. */
  files?: number;
}

export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const child = Child.start<ServerRequest, ServerReply>("server", "bench/server-process.ts", {
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: "warn",
    },
    logFile: options.logFile,
    ...(options.files ? { files: options.files } : {}),
  });
  const ready = await child.reply("ready", 60_000, "failed");
  return {
    url: ready.url,
    pid: child.pid,
    async capture(fn) {
      // Capture is on once the child has replied, so every statement of fn is recorded.
      await child.request({ type: "capture", on: true }, "capturing", 10_000);
      await fn();
      const reply = await child.request({ type: "capture", on: false }, "captured", 10_000);
      return reply.statements;
    },
    stop: () => child.stop({ type: "stop" }),
  };
}
