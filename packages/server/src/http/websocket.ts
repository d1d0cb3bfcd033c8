import type { IncomingMessage, Server } from "node:http";
import type { ExecutionArgs } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { YogaServerInstance } from "graphql-yoga";
import { type WebSocket, WebSocketServer } from "ws";
import type { Config } from "../config";
import type { Logger } from "../logger";

/** Close code for a client that reads too slowly: 1013 "try again later", so clients retry. */
export const SLOW_CONSUMER_CLOSE_CODE = 1013;

interface Tracked extends WebSocket {
  connectionId?: string;
}

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * Bounds what a connection may have waiting to be written. graphql-ws waits for each send,
 * so a stalled client stalls its own streams; when bytes still queue past the limit, or one
 * send has not gone out within the keep-alive interval, the server closes the connection with
 * SLOW_CONSUMER_CLOSE_CODE. The client resumes with its last event id when it reconnects.
 */
function limitSendBuffer(socket: Tracked, config: Config["ws"], log: Logger) {
  const send = socket.send.bind(socket);
  let oldestPending: number | null = null;
  let pending = 0;
  const cutOff = (reason: string) => {
    if (socket.readyState !== socket.OPEN) return;
    log.warn({ connectionId: socket.connectionId, bufferedAmount: socket.bufferedAmount }, reason);
    socket.close(SLOW_CONSUMER_CLOSE_CODE, reason);
    // A client that reads nothing will not read the close frame either.
    setTimeout(() => socket.terminate(), 1_000).unref();
  };
  const watchdog = setInterval(
    () => {
      if (oldestPending !== null && Date.now() - oldestPending > config.keepAliveMs) {
        cutOff("client too slow: a message waited longer than the keep-alive interval");
      }
    },
    Math.max(100, Math.floor(config.keepAliveMs / 4)),
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

/**
 * Serves graphql-ws (the graphql-transport-ws protocol) on the HTTP server's /graphql path,
 * running every operation through yoga's envelop, so it shares the schema, context and plugins.
 */
export function attachWebSocket(
  server: Server,
  yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>,
  config: Config["ws"],
  log: Logger,
) {
  const wss = new WebSocketServer({ server, path: "/graphql", maxPayload: 1024 * 1024 });
  let nextId = 1;
  wss.on("connection", (socket: Tracked, request: IncomingMessage) => {
    socket.connectionId = `ws-${process.pid}-${nextId++}`;
    log.info(
      { connectionId: socket.connectionId, remote: request.socket.remoteAddress },
      "websocket connected",
    );
    limitSendBuffer(socket, config, log);
    socket.once("close", (code, reason) => {
      log.info(
        { connectionId: socket.connectionId, code, reason: reason.toString() },
        "websocket closed",
      );
    });
  });

  const graphqlWs = useServer(
    {
      connectionInitWaitTimeout: config.initTimeoutMs,
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          connectionId: (ctx.extra.socket as Tracked).connectionId,
          params: payload,
        });
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName ?? null,
          document: parse(payload.query),
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
      onError: (ctx, id, _payload, errors) => {
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
    async close() {
      await graphqlWs.dispose();
    },
  };
}
