import type { IncomingMessage, Server } from "node:http";
import { type DocumentNode, type ExecutionArgs, GraphQLError } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { YogaServerInstance } from "graphql-yoga";
import { type WebSocket, WebSocketServer } from "ws";
import type { Config } from "../config";
import type { Logger } from "../logger";
import { subscribeShared } from "./shared-execution";

/** Close code for a client that reads too slowly: 1013 "try again later", so clients retry. */
export const SLOW_CONSUMER_CLOSE_CODE = 1013;
/** Close code sent to every client when the server shuts down; graphql-ws clients retry. */
export const GOING_AWAY_CLOSE_CODE = 1001;

interface Tracked extends WebSocket {
  connectionId?: string;
  /** Ids of the operations accepted on this connection and not yet completed. */
  operations?: Set<string>;
}

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * Bounds what a connection may have waiting to be written. graphql-ws waits for each send
 * before it takes the next result of that operation, so a stalled client stalls its own
 * streams, and at most one message per operation waits in memory. The server closes the
 * connection with SLOW_CONSUMER_CLOSE_CODE when a new message finds more than maxBufferedBytes
 * already waiting (several operations on one connection), or when a message has waited for
 * sendTimeoutMs with no send finishing meanwhile. The client resumes with its last event id when
 * it reconnects.
 */
function limitSendBuffer(socket: Tracked, config: Config["ws"], log: Logger) {
  const send = socket.send.bind(socket);
  let oldestPending: number | null = null;
  let pending = 0;
  const cutOff = (reason: string) => {
    if (socket.readyState !== socket.OPEN) return;
    log.warn(
      {
        connectionId: socket.connectionId,
        bufferedAmount: socket.bufferedAmount,
        pendingMessages: pending,
      },
      reason,
    );
    socket.close(SLOW_CONSUMER_CLOSE_CODE, reason);
    // A client that reads nothing will not read the close frame either.
    setTimeout(() => socket.terminate(), Math.max(1_000, config.sendTimeoutMs)).unref();
  };
  const watchdog = setInterval(
    () => {
      if (oldestPending !== null && Date.now() - oldestPending > config.sendTimeoutMs) {
        cutOff(`client too slow: no message was written within ${config.sendTimeoutMs} ms`);
      }
    },
    Math.max(25, Math.floor(config.sendTimeoutMs / 4)),
  );
  watchdog.unref();
  socket.once("close", () => clearInterval(watchdog));

  socket.send = ((data: string, callback?: (error?: Error) => void) => {
    if (socket.bufferedAmount > config.maxBufferedBytes) {
      cutOff(`client too slow: more than ${config.maxBufferedBytes} bytes waiting to be sent`);
      callback?.();
      return;
    }
    pending++;
    oldestPending ??= Date.now();
    send(data, (error) => {
      pending--;
      oldestPending = pending === 0 ? null : Date.now();
      callback?.(error);
    });
  }) as WebSocket["send"];
}

function parseQuery(parse: (source: string) => DocumentNode, query: string) {
  try {
    return parse(query);
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
}

/**
 * Validates a document and returns its errors, each with a code. The query limits (depth,
 * aliases, cost) throw their GraphQLError instead of returning it. Thrown from onSubscribe, it
 * would close the whole connection.
 */
function validateQuery(
  validate: (schema: ExecutionArgs["schema"], document: DocumentNode) => readonly GraphQLError[],
  args: ExecutionArgs,
): readonly GraphQLError[] {
  let errors: readonly GraphQLError[];
  try {
    errors = validate(args.schema, args.document);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    errors = [error];
  }
  // The code that codeVariableErrors in app.ts gives these errors over HTTP.
  return errors.map((error) =>
    error.extensions?.code
      ? error
      : new GraphQLError(error.message, {
          nodes: error.nodes ?? null,
          extensions: { ...error.extensions, code: "BAD_USER_INPUT" },
        }),
  );
}

/** An error with which ws reports a client's breach of the protocol, such as WS_ERR_INVALID_UTF8. */
type ClientProtocolError = Error & { code: string };

function isClientProtocolError(error: unknown): error is ClientProtocolError {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === "string" && code.startsWith("WS_ERR_");
}

/**
 * Sends a client's protocol errors to onError instead of the socket's "error" listeners. ws 8
 * emits such an error (a message over maxPayload, an invalid frame, invalid UTF-8) after it has
 * begun the close with the matching code, such as 1009. graphql-ws 6 would print each one to
 * stderr as an internal error.
 */
function stopClientProtocolErrors(
  socket: WebSocket,
  onError: (error: ClientProtocolError) => void,
): void {
  const emit = socket.emit.bind(socket);
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === "error" && isClientProtocolError(args[0])) {
      onError(args[0]);
      return true;
    }
    return emit(event, ...args);
  }) as typeof socket.emit;
}

/** Logs the lifecycle of each connection with its id: connect, close, socket errors. */
function trackConnections(wss: WebSocketServer, log: Logger) {
  let nextId = 1;
  wss.on("error", (error) => log.error({ err: error }, "websocket server failed"));
  wss.on("connection", (socket: Tracked, request: IncomingMessage) => {
    const connectionId = `ws-${process.pid}-${nextId++}`;
    const openedAt = Date.now();
    socket.connectionId = connectionId;
    const remote = `${request.socket.remoteAddress}:${request.socket.remotePort}`;
    log.info({ connectionId, remote }, "websocket connected");
    stopClientProtocolErrors(socket, (error) =>
      log.info({ connectionId, code: error.code, reason: error.message }, "invalid client message"),
    );
    socket.on("error", (error) => log.warn({ connectionId, err: error }, "websocket failed"));
    socket.once("close", (code, reason) => {
      log.info(
        { connectionId, code, reason: reason.toString(), durationMs: Date.now() - openedAt },
        "websocket closed",
      );
    });
  });
}

/**
 * Serves graphql-ws (the graphql-transport-ws protocol) on the HTTP server's /graphql path,
 * running every operation through yoga's envelop, so it shares the schema, context and plugins.
 */
export function attachWebSocket(
  server: Server,
  yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>,
  config: Config["ws"],
  log: Logger,
  maxMessageBytes: number,
) {
  // ws closes a connection whose message is larger, with close code 1009 (message too big).
  const wss = new WebSocketServer({ server, path: "/graphql", maxPayload: maxMessageBytes });
  // Registered before useServer, so each socket has its id before graphql-ws handles it.
  trackConnections(wss, log);
  wss.on("connection", (socket: Tracked) => limitSendBuffer(socket, config, log));

  const graphqlWs = useServer(
    {
      connectionInitWaitTimeout: config.initTimeoutMs,
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => subscribeShared(args, log) as never,
      onSubscribe: async (ctx, id, payload) => {
        // Counted here rather than from ctx.subscriptions, which graphql-ws fills only after
        // this returns, so a burst of subscribe messages would all pass the check.
        const socket = ctx.extra.socket as Tracked;
        socket.operations ??= new Set();
        if (socket.operations.size >= config.maxSubscriptions) {
          return [
            new GraphQLError(
              `a connection may run at most ${config.maxSubscriptions} operations at once; ` +
                "complete one or open another connection",
              { extensions: { code: "LIMIT_EXCEEDED" } },
            ),
          ];
        }
        socket.operations.add(id);
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          connectionId: (ctx.extra.socket as Tracked).connectionId,
          params: payload,
        });
        // A syntax error fails the operation. Thrown from here, it would close the connection.
        const document = parseQuery(parse, payload.query);
        if (Array.isArray(document)) return document;

        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName ?? null,
          document,
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validateQuery(validate, args);
        return errors.length > 0 ? errors : args;
      },
      onComplete: (ctx, id) => {
        (ctx.extra.socket as Tracked).operations?.delete(id);
      },
      onError: (ctx, id, _payload, errors) => {
        (ctx.extra.socket as Tracked).operations?.delete(id);
        const connectionId = (ctx.extra.socket as Tracked).connectionId;
        log.warn(
          { connectionId, operationId: id, errors: errors.map((e) => e.message) },
          "websocket operation failed",
        );
      },
    },
    wss,
    config.keepAliveMs,
  );
  return {
    wss,
    /**
     * Closes every connection with GOING_AWAY_CLOSE_CODE and resolves when all are closed. A
     * client that does not reply to the close frame within the send timeout is cut off.
     */
    async close() {
      const cutOff = setTimeout(
        () => {
          for (const socket of wss.clients) socket.terminate();
        },
        Math.max(1_000, config.sendTimeoutMs),
      );
      try {
        await graphqlWs.dispose();
      } finally {
        clearTimeout(cutOff);
      }
    },
  };
}
