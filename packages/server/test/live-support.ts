import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type Client, createClient } from "graphql-ws";
import { pino } from "pino";
import WebSocket from "ws";
import { type RunningServer, startServer } from "../src/app";
import { loadConfig } from "../src/config";
import { createPostgresDatabase, type GraphQLResponse } from "./support";

/** One pino record as JSON. */
export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface LiveServer extends RunningServer {
  backend: "pglite" | "postgres";
  wsUrl: string;
  /** Every record the server logged, oldest first. */
  logs: LogRecord[];
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>>;
  // biome-ignore lint/suspicious/noExplicitAny: tests index into response data freely.
  data<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Stops the server; drops the database when this helper created it. */
  close(): Promise<void>;
}

export interface LiveServerOptions {
  backend: "pglite" | "postgres";
  env?: Record<string, string>;
  /** PostgreSQL database shared with other servers; neither created nor dropped here. */
  databaseUrl?: string;
  /** PGlite data folder; default is in memory. */
  dataDir?: string;
}

/** Starts a real server on a free loopback port and records what it logs. */
export async function startLiveServer(options: LiveServerOptions): Promise<LiveServer> {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>> | null = null;
  let databaseUrl = options.databaseUrl;
  if (options.backend === "postgres" && !databaseUrl) {
    database = await createPostgresDatabase();
    databaseUrl = database.url;
  }
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "debug",
    // Bounds the wait for connections that never send a request, such as ones fetch opens ahead.
    SHUTDOWN_TIMEOUT_MS: "1000",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}),
    ...options.env,
  });
  const logs: LogRecord[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) {
        if (line) logs.push(JSON.parse(line) as LogRecord);
      }
      done();
    },
  });
  const log = pino({ level: "debug" }, sink);
  const running = await startServer(config, log, {
    inMemory: options.backend === "pglite" && !options.dataDir,
  });

  const gql = async <T>(query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(`${running.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  };
  return {
    ...running,
    backend: options.backend,
    wsUrl: `${running.url.replace(/^http/, "ws")}/graphql`,
    logs,
    gql,
    async data<T>(query: string, variables?: Record<string, unknown>) {
      const result = await gql<T>(query, variables);
      if (result.errors?.length)
        throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data as T;
    },
    async close() {
      await running.stop();
      await database?.drop();
    },
  };
}

/** A temporary folder, removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Polls until the check returns true, or fails with the message after the timeout. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  message: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${message}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The ids of every stored event after `after`, ascending: what a subscriber must receive. */
export async function storedIdsAfter(server: RunningServer, after = 0): Promise<number[]> {
  const rows = await server.services.prisma.incidentEvent.findMany({
    where: { id: { gt: BigInt(after) } },
    orderBy: { id: "asc" },
    select: { id: true },
  });
  return rows.map((row) => Number(row.id));
}

/** Ids from `first` to `last`, both included. */
export function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, index) => first + index);
}

export const EVENT_FIELDS = `
  id type
  incident { key status priority category { id } team { id } }
`;

export const EVENTS_SUBSCRIPTION = `
  subscription Events($after: ID, $filter: IncidentFilter) {
    incidentEvents(after: $after, filter: $filter) { ${EVENT_FIELDS} }
  }
`;

export interface EventData {
  id: string;
  type: string;
  incident: {
    key: string;
    status: string;
    priority: string | null;
    category: { id: string } | null;
    team: { id: string } | null;
  };
}

/** A graphql-ws subscription on its own connection, collecting what it receives. */
export class Subscriber {
  readonly events: EventData[] = [];
  readonly errors: unknown[] = [];
  completed = false;
  /** The client's WebSocket once connected; terminate() on it drops the TCP connection. */
  socket: WebSocket | null = null;
  readonly client: Client;
  private unsubscribe: () => void;

  constructor(
    wsUrl: string,
    variables: { after?: string | null; filter?: Record<string, unknown> },
    query = EVENTS_SUBSCRIPTION,
  ) {
    this.client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
      on: { connected: (socket) => (this.socket = socket as WebSocket) },
    });
    this.unsubscribe = this.client.subscribe<{ incidentEvents: EventData }>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...result.errors);
          if (result.data) this.events.push(result.data.incidentEvents);
        },
        error: (error) => this.errors.push(error),
        complete: () => {
          this.completed = true;
        },
      },
    );
  }

  ids(): number[] {
    return this.events.map((event) => Number(event.id));
  }

  lastId(): string | null {
    return this.events.at(-1)?.id ?? null;
  }

  async waitForConnection(): Promise<void> {
    await waitUntil(() => this.socket?.readyState === WebSocket.OPEN, "subscriber connected");
  }

  /** Waits until the event with the id has arrived. */
  async waitForId(id: number, timeoutMs = 10_000): Promise<void> {
    await waitUntil(
      () => this.ids().includes(id) || this.errors.length > 0,
      `event ${id} to arrive (last received: ${this.lastId()})`,
      timeoutMs,
    );
    if (this.errors.length > 0) throw new Error(`subscription failed: ${describe(this.errors)}`);
  }

  async dispose(): Promise<void> {
    this.unsubscribe();
    await this.client.dispose();
  }
}

function describe(errors: unknown[]): string {
  return errors
    .map((error) => (error instanceof Error ? error.message : JSON.stringify(error)))
    .join("; ");
}

const INCIDENT_KEY = "key status priority category { id } team { id }";

/** Creates an incident through the API and returns its key. */
export async function createIncident(
  server: LiveServer,
  input: Record<string, unknown> = {},
): Promise<string> {
  const data = await server.data<{ createIncident: { key: string } }>(
    `mutation ($input: CreateIncidentInput!) { createIncident(input: $input) { ${INCIDENT_KEY} } }`,
    { input: { title: "Mail relay rejects messages", ...input } },
  );
  return data.createIncident.key;
}

/** Runs an incident mutation such as addComment with the input; fails on errors. */
export async function change(
  server: LiveServer,
  mutation: string,
  input: Record<string, unknown>,
): Promise<void> {
  const inputType = `${mutation[0]?.toUpperCase()}${mutation.slice(1)}Input`;
  await server.data(
    `mutation ($input: ${inputType}!) { ${mutation}(input: $input) { ${INCIDENT_KEY} } }`,
    { input },
  );
}

export function comment(server: LiveServer, key: string, body = "checked the relay logs") {
  return change(server, "addComment", { key, body });
}

/** Returns the id of a standard category and of its default team, by category name. */
export async function categoryOf(
  server: LiveServer,
  name: string,
): Promise<{ categoryId: string; teamId: string }> {
  const data = await server.data<{
    categories: { id: string; name: string; defaultTeam: { id: string } }[];
  }>("{ categories { id name defaultTeam { id } } }");
  const category = data.categories.find((c) => c.name === name);
  if (!category) throw new Error(`category ${name} not found`);
  return { categoryId: category.id, teamId: category.defaultTeam.id };
}

/** Opens a raw graphql-transport-ws socket, for tests that control reading or the handshake. */
export function rawSocket(wsUrl: string, options: WebSocket.ClientOptions = {}): WebSocket {
  return new WebSocket(wsUrl, "graphql-transport-ws", options);
}

/** Resolves with the close code and reason of the socket. */
export function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

/** Resolves with the next graphql-ws message of the given type; rejects if the socket closes. */
export function nextMessage(socket: WebSocket, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.type !== type) return;
      socket.off("message", onMessage);
      socket.off("close", onClose);
      resolve(message);
    };
    const onClose = (code: number, reason: Buffer) => {
      socket.off("message", onMessage);
      reject(new Error(`socket closed with ${code} ${reason} before a ${type} message`));
    };
    socket.on("message", onMessage);
    socket.once("close", onClose);
  });
}

/** Opens a raw socket and completes the graphql-ws handshake. */
export async function handshake(
  wsUrl: string,
  options: WebSocket.ClientOptions = {},
): Promise<WebSocket> {
  const socket = rawSocket(wsUrl, options);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const ack = nextMessage(socket, "connection_ack");
  socket.send(JSON.stringify({ type: "connection_init" }));
  await ack;
  return socket;
}

/** Returns the id the server logged for a client socket's connection, by its local port. */
export function connectionIdOf(server: LiveServer, socket: WebSocket): string {
  const port = (socket as unknown as { _socket: { localPort: number } })._socket.localPort;
  const record = server.logs.find(
    (r) => r.msg === "websocket connected" && String(r.remote).endsWith(`:${port}`),
  );
  if (!record) throw new Error(`no connection logged for local port ${port}`);
  return record.connectionId as string;
}

/** A subscription over server-sent events (yoga's distinct-connection mode), collecting events. */
export class EventStream {
  readonly events: EventData[] = [];
  /** The `id:` field of each `next` event, or null where it had none. */
  readonly eventIds: (string | null)[] = [];
  readonly errors: unknown[] = [];
  contentType: string | null = null;
  completed = false;
  private readonly controller = new AbortController();
  readonly done: Promise<void>;

  constructor(
    url: string,
    variables: Record<string, unknown>,
    method: "GET" | "POST" = "POST",
    query = EVENTS_SUBSCRIPTION,
    extraHeaders: Record<string, string> = {},
  ) {
    this.done = this.read(url, variables, method, query, extraHeaders).catch((error) => {
      if (!this.controller.signal.aborted) this.errors.push(error);
    });
  }

  private async read(
    url: string,
    variables: Record<string, unknown>,
    method: "GET" | "POST",
    query: string,
    extraHeaders: Record<string, string>,
  ) {
    const headers: Record<string, string> = { accept: "text/event-stream", ...extraHeaders };
    let target = `${url}/graphql`;
    let body: string | undefined;
    if (method === "GET") {
      const params = new URLSearchParams({ query, variables: JSON.stringify(variables) });
      target += `?${params}`;
    } else {
      headers["content-type"] = "application/json";
      body = JSON.stringify({ query, variables });
    }
    const response = await fetch(target, {
      method,
      headers,
      body,
      signal: this.controller.signal,
    });
    this.contentType = response.headers.get("content-type");
    const decoder = new TextDecoder();
    let text = "";
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      let end = text.indexOf("\n\n");
      while (end >= 0) {
        this.handle(text.slice(0, end));
        text = text.slice(end + 2);
        end = text.indexOf("\n\n");
      }
    }
  }

  private handle(block: string) {
    const lines = block.split("\n");
    const event = lines
      .find((line) => line.startsWith("event:"))
      ?.slice(6)
      .trim();
    const data = lines
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).trim())
      .join("\n");
    if (event === "complete") this.completed = true;
    if (event !== "next") return;
    const id = lines.find((line) => line.startsWith("id:"));
    this.eventIds.push(id === undefined ? null : id.slice(3).trim());
    const result = JSON.parse(data) as {
      data?: { incidentEvents: EventData };
      errors?: unknown[];
    };
    if (result.errors) this.errors.push(...result.errors);
    if (result.data) this.events.push(result.data.incidentEvents);
  }

  ids(): number[] {
    return this.events.map((event) => Number(event.id));
  }

  async waitForId(id: number, timeoutMs = 10_000): Promise<void> {
    await waitUntil(
      () => this.ids().includes(id) || this.errors.length > 0,
      `event ${id} to arrive over server-sent events`,
      timeoutMs,
    );
    if (this.errors.length > 0) throw new Error(`stream failed: ${describe(this.errors)}`);
  }

  close(): void {
    this.controller.abort();
  }
}
