import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_LIMITS, DEFAULT_SLA_TARGETS, PRIORITIES, type SlaTargets } from "@incident/shared";
import { z } from "zod";

const SERVER_ROOT = fileURLToPath(new URL("..", import.meta.url));

const positiveInt = z.coerce.number().int().positive();

/** Parses "P1=300,P2=900" into per-priority seconds, defaulting the priorities left out. */
function slaTargets(defaults: Record<string, number>) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      const targets = { ...defaults };
      if (!value) return targets;
      for (const part of value.split(",")) {
        const [priority, seconds] = part.split("=").map((s) => s.trim());
        if (!PRIORITIES.includes(priority as never) || !/^[1-9][0-9]*$/.test(seconds ?? "")) {
          ctx.addIssue({
            code: "custom",
            message: `expected a list such as "P1=300,P2=900" (seconds per priority); got "${part}"`,
          });
          return z.NEVER;
        }
        targets[priority as string] = Number(seconds);
      }
      return targets;
    });
}

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgres:// or postgresql:// URL")
    .optional(),
  DATA_DIR: z.string().default(resolve(SERVER_ROOT, "data")),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DESCRIPTION_MAX_LENGTH: positiveInt.default(DEFAULT_LIMITS.description),
  SLA_ACKNOWLEDGE_SECONDS: slaTargets(DEFAULT_SLA_TARGETS.acknowledge),
  SLA_RESOLVE_SECONDS: slaTargets(DEFAULT_SLA_TARGETS.resolve),
  WEB_DIST: z.string().default(resolve(SERVER_ROOT, "../web/dist")),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  MAX_REQUEST_BYTES: positiveInt.default(1024 * 1024),
  REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  WS_MAX_BUFFERED_BYTES: positiveInt.default(4 * 1024 * 1024),
  WS_KEEPALIVE_MS: positiveInt.default(15_000),
  WS_INIT_TIMEOUT_MS: positiveInt.default(10_000),
  WS_SEND_TIMEOUT_MS: positiveInt.default(10_000),
  WS_MAX_SUBSCRIPTIONS: positiveInt.default(20),
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const origins = (value ?? "")
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean);
      for (const origin of origins) {
        if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
          ctx.addIssue({
            code: "custom",
            message: `expected origins such as https://ops.example.com, comma-separated; got "${origin}"`,
          });
          return z.NEVER;
        }
      }
      return origins;
    }),
  EVENT_POLL_MS: positiveInt.default(5_000),
  EVENT_BUFFER_SIZE: positiveInt.default(2_000),
  EVENT_PAGE_SIZE: positiveInt.default(500),
});

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; null selects the embedded PGlite database in dataDir. */
  databaseUrl: string | null;
  dataDir: string;
  /** Origins allowed to call the API from a browser; empty allows only the server's own pages. */
  corsOrigins: string[];
  logLevel: z.infer<typeof schema>["LOG_LEVEL"];
  limits: typeof DEFAULT_LIMITS;
  sla: SlaTargets;
  webDist: string;
  shutdownTimeoutMs: number;
  /** Largest request body and largest WebSocket message, in bytes. */
  maxRequestBytes: number;
  /** Time a client has to send a whole request, headers and body, in milliseconds. */
  requestTimeoutMs: number;
  ws: {
    /** Bytes a WebSocket may have waiting to be written before it is closed as too slow. */
    maxBufferedBytes: number;
    keepAliveMs: number;
    initTimeoutMs: number;
    /** Time one message may wait to be written before its WebSocket is closed as too slow. */
    sendTimeoutMs: number;
    /** Subscriptions one WebSocket connection may run at once. */
    maxSubscriptions: number;
  };
  events: {
    /** Interval of the events table poll that backs up LISTEN/NOTIFY, in milliseconds. */
    pollMs: number;
    /** Newest events each process keeps in memory for subscribers close behind. */
    bufferSize: number;
    /** Events read per query, by the bus and by subscribers replaying from the table. */
    pageSize: number;
  };
}

/** Error thrown when an environment variable does not have the expected form. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the configuration from environment variables, once, at start-up. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (DATABASE_URL= in an env file) means "not set".
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = schema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL ?? null,
    // pnpm runs scripts inside the package folder and keeps the caller's folder in INIT_CWD,
    // so a relative DATA_DIR is resolved from the folder where the command was typed.
    dataDir: resolve(env.INIT_CWD ?? process.cwd(), e.DATA_DIR),
    corsOrigins: e.CORS_ORIGINS,
    logLevel: e.LOG_LEVEL,
    limits: { ...DEFAULT_LIMITS, description: e.DESCRIPTION_MAX_LENGTH },
    sla: {
      acknowledge: e.SLA_ACKNOWLEDGE_SECONDS as SlaTargets["acknowledge"],
      resolve: e.SLA_RESOLVE_SECONDS as SlaTargets["resolve"],
    },
    webDist: resolve(e.WEB_DIST),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    maxRequestBytes: e.MAX_REQUEST_BYTES,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    ws: {
      maxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
      keepAliveMs: e.WS_KEEPALIVE_MS,
      initTimeoutMs: e.WS_INIT_TIMEOUT_MS,
      sendTimeoutMs: e.WS_SEND_TIMEOUT_MS,
      maxSubscriptions: e.WS_MAX_SUBSCRIPTIONS,
    },
    events: {
      pollMs: e.EVENT_POLL_MS,
      bufferSize: e.EVENT_BUFFER_SIZE,
      pageSize: e.EVENT_PAGE_SIZE,
    },
  };
}
