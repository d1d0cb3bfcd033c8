import { cacheExchange } from "@urql/exchange-graphcache";
import { createClient as createWebSocketClient, type Client as WebSocketClient } from "graphql-ws";
import { Client, fetchExchange, subscriptionExchange } from "urql";
import { cacheConfig } from "./cache";
import type { ConnectionMonitor } from "./connection";
import { type EventCursor, forwardSubscription } from "./resume";

/** Client pings this often, in milliseconds, to find a connection that died silently. */
const KEEP_ALIVE_MS = 10_000;
/** A ping without a pong within this many milliseconds closes the socket, to reconnect. */
const PONG_TIMEOUT_MS = 5_000;
/** Close code that graphql-ws retries: 4408, a request that timed out. */
const PONG_TIMEOUT_CLOSE_CODE = 4408;

/** Waits about 0.5 s before the first retry, doubling up to 10 s, with up to 0.5 s of jitter. */
export function retryDelayMs(retries: number): number {
  return Math.min(500 * 2 ** retries, 10_000) + Math.floor(Math.random() * 500);
}

/**
 * Creates the graphql-ws client. It retries without end, because a dashboard on a wall
 * screen should come back by itself, and reports each connection change to the monitor.
 */
export function createLiveConnection(url: string, monitor: ConnectionMonitor): WebSocketClient {
  let socket: WebSocket | null = null;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;

  return createWebSocketClient({
    url,
    // graphql-ws gives up once `retries >= retryAttempts`, so infinity never gives up.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, retryDelayMs(retries))),
    keepAlive: KEEP_ALIVE_MS,
    on: {
      connecting: () => monitor.dispatch({ type: "connecting" }),
      connected: (connected) => {
        socket = connected as WebSocket;
        monitor.dispatch({ type: "connected" });
      },
      closed: () => {
        socket = null;
        clearTimeout(pongTimer);
        monitor.dispatch({ type: "closed" });
      },
      ping: (received) => {
        if (received) return;
        pongTimer = setTimeout(() => {
          if (socket?.readyState === WebSocket.OPEN) {
            socket.close(PONG_TIMEOUT_CLOSE_CODE, "Request Timeout");
          }
        }, PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });
}

export interface DashboardClient {
  client: Client;
  cursor: EventCursor;
  dispose(): void;
}

/**
 * Creates the urql client of the dashboard: the normalized cache, queries and mutations over
 * HTTP, subscriptions over graphql-ws.
 */
export function createDashboardClient(
  origin: { httpUrl: string; wsUrl: string },
  monitor: ConnectionMonitor,
): DashboardClient {
  const live = createLiveConnection(origin.wsUrl, monitor);
  const cursor: EventCursor = { lastEventId: null };
  const client = new Client({
    url: origin.httpUrl,
    requestPolicy: "cache-first",
    exchanges: [
      cacheExchange(cacheConfig),
      subscriptionExchange({ forwardSubscription: forwardSubscription(live, cursor) }),
      fetchExchange,
    ],
  });
  return { client, cursor, dispose: () => void live.dispose() };
}
