import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import { GraphQLError } from "graphql";
import { createYoga, type Plugin } from "graphql-yoga";
import { bootstrap } from "./bootstrap";
import type { Config } from "./config";
import type { AppServices, GraphQLContext } from "./context";
import { openDatabase } from "./db/database";
import { EventBus } from "./events/bus";
import { eventStreamIds, trackEventStreams } from "./events/sse";
import { admitBody, admitGraphQLGet, admitGraphQLPost } from "./http/admission";
import { serveStatic } from "./http/static";
import { attachWebSocket } from "./http/websocket";
import { createLoaders } from "./loaders";
import type { Logger } from "./logger";
import { schema } from "./schema";

/** A start-up failure whose message names the setting to change. */
export class StartupError extends Error {
  override name = "StartupError";
}

export interface StartOptions {
  /** PGlite in memory instead of the data folder; for tests. */
  inMemory?: boolean;
  now?: () => Date;
  /** Called with the SQL of every Prisma query; tests count queries with it. */
  onQuery?: (sql: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  services: AppServices;
  http: Server;
  /** Stops accepting requests, lets those in flight finish, then closes the database. */
  stop(): Promise<void>;
}

/** Logs each error that is not an expected GraphQLError, once, with the request id. */
function logUnexpectedErrors(): Plugin<GraphQLContext> {
  return {
    onExecute: () => ({
      onExecuteDone: ({ args, result }) => {
        if (!("errors" in result) || !result.errors) return;
        const ctx = args.contextValue as GraphQLContext;
        for (const error of result.errors) {
          const original = error.originalError;
          if (original && !(original instanceof GraphQLError)) {
            ctx.log.error({ err: original, path: error.path }, "unexpected error in resolver");
          }
        }
      },
    }),
  };
}

/**
 * Bounds what one request may ask for. Nested fields such as timeline { incident { timeline } }
 * multiply, so without limits a query of a kilobyte can occupy the server for minutes.
 */
function queryLimits(): Plugin[] {
  return [
    maxTokensPlugin({ n: 4_000 }),
    maxDepthPlugin({ n: 10, flattenFragments: true }),
    maxAliasesPlugin({ n: 20 }),
    costLimitPlugin({ maxCost: 20_000 }),
  ] as Plugin[];
}

/** Gives variable coercion errors (an unknown input field, a wrong enum value) a code. */
function codeVariableErrors(): Plugin<GraphQLContext> {
  const withCode = (error: GraphQLError) =>
    error.extensions?.code ||
    (error.originalError && !(error.originalError instanceof GraphQLError))
      ? error
      : new GraphQLError(error.message, {
          nodes: error.nodes ?? null,
          extensions: { ...error.extensions, code: "BAD_USER_INPUT" },
        });
  return {
    onResultProcess: ({ result, setResult }) => {
      if (Array.isArray(result) || !result || typeof result !== "object") return;
      if (!("errors" in result) || !Array.isArray(result.errors) || result.errors.length === 0) {
        return;
      }
      const errors = result.errors as GraphQLError[];
      if (errors.every((error) => error.extensions?.code)) return;
      setResult({ ...result, errors: errors.map(withCode) });
    },
  };
}

/** Content types a POST to /graphql may have. Form encodings would let any web page post. */
function headerOf(request: unknown, name: string): string | null {
  if (request instanceof Request) return request.headers.get(name);
  const value = (request as IncomingMessage | undefined)?.headers?.[name];
  return typeof value === "string" ? value : null;
}

export function createYogaServer(services: AppServices, actorId: number, log: Logger) {
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    // GraphiQL would load its code from a CDN, which a closed network does not reach.
    graphiql: false,
    // The plugin below logs each unexpected error once, with the request id.
    logging: false,
    // Yoga's own limit pipes every request body through a stream that counts its bytes. The HTTP
    // handler checks Content-Length against MAX_REQUEST_BYTES instead, at a fraction of the cost.
    maxRequestBodySize: false,
    cors: services.config.corsOrigins.length
      ? { origin: services.config.corsOrigins, credentials: false }
      : false,
    plugins: [...queryLimits(), codeVariableErrors(), logUnexpectedErrors(), eventStreamIds()],
    context: ({ request, req, connectionId }: Record<string, unknown>) => {
      const requestId = headerOf(request ?? req, "x-request-id") || randomUUID();
      const ids = connectionId ? { requestId, connectionId } : { requestId };
      return {
        services,
        actor: { id: actorId },
        log: log.child(ids),
        loaders: createLoaders(services.prisma),
      };
    },
  });
}

async function health(services: AppServices, res: ServerResponse) {
  try {
    await services.db.sql.query("SELECT 1");
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", database: "reachable" }));
  } catch (error) {
    services.log.warn({ err: error }, "health check failed");
    res.writeHead(503, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "error", database: "unreachable" }));
  }
}

/** Opens the database and serves the API, subscriptions and the dashboard on one port. */
export async function startServer(
  config: Config,
  log: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  const db = await openDatabase(
    {
      ...config,
      inMemory: options.inMemory ?? false,
      ...(options.onQuery ? { onQuery: options.onQuery } : {}),
    },
    log,
  );
  const user = await bootstrap(db.prisma, log);
  const bus = new EventBus(db.prisma, db.sql, log.child({ component: "events" }), {
    pollMs: config.events.pollMs,
    recentLimit: config.events.bufferSize,
    pageSize: config.events.pageSize,
  });
  await bus.start();
  const services: AppServices = {
    config,
    db,
    bus,
    prisma: db.prisma,
    sql: db.sql,
    published: (events) => bus.offer(events),
    log,
    now: options.now ?? (() => new Date()),
  };

  const yoga = createYogaServer(services, user.id, log);
  const httpLog = log.child({ component: "http" });
  const eventStreams = trackEventStreams({
    sendTimeoutMs: config.ws.sendTimeoutMs,
    log: httpLog,
  });
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const requestId = headerOf(req, "x-request-id") || randomUUID();
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    if (!admitBody(req, res, config.maxRequestBytes)) return;
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return void health(services, res);
    if (path?.startsWith("/graphql")) {
      if (req.method === "POST" && !admitGraphQLPost(req, res)) return;
      if (req.method === "GET" && !admitGraphQLGet(req, res)) return;
      eventStreams.add(req, res);
      return void yoga(req, res);
    }
    try {
      if (serveStatic(config.webDist, req, res)) return;
    } catch (error) {
      httpLog.warn({ err: error, url: req.url }, "static file request failed");
      res.writeHead(400).end();
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("Not found. The API is at /graphql; build the dashboard with pnpm start.\n");
  };
  const handleSafely = (req: IncomingMessage, res: ServerResponse) => {
    try {
      handle(req, res);
    } catch (error) {
      // One request's failure must not end the process that serves all the others.
      httpLog.error({ err: error, method: req.method, url: req.url }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end();
    }
  };
  const server = createServer(
    {
      // Node's defaults give a client 60 s for the headers and 300 s for the whole request.
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(30_000, Math.ceil(config.requestTimeoutMs / 4)),
    },
    handleSafely,
  );
  // Without this listener Node sends 100 Continue before the handler runs, and the client then
  // sends a body that the handler rejects.
  server.on("checkContinue", (req, res) => {
    if (!admitBody(req, res, config.maxRequestBytes)) return;
    res.writeContinue();
    handleSafely(req, res);
  });
  const ws = attachWebSocket(
    server,
    yoga as never,
    config.ws,
    log.child({ component: "ws" }),
    config.maxRequestBytes,
  );

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    await ws.close().catch(() => undefined);
    await bus.close();
    await db.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new StartupError(`port ${config.port} on ${config.host} is already in use; set PORT`);
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
      throw new StartupError(
        `cannot listen on ${config.host}; set HOST to an address of this machine`,
      );
    }
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const url = `http://${host}:${port}`;
  log.info({ url, database: db.location }, "listening");

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      log.info("shutting down");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await ws.close();
      eventStreams.destroyAll();
      const timeout = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timeout);
      await bus.close();
      await db.close();
      log.info("stopped");
    })();
    return stopping;
  };
  return { url, port, services, http: server, stop };
}
