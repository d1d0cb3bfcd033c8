import { once } from "node:events";
import { Agent, request } from "node:http";
import { connect, type Socket } from "node:net";

export interface GraphQLResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * A GraphQL-over-HTTP client on keep-alive connections. node:http costs the load generator less
 * CPU than fetch, and this machine's two cores are shared with the server under test.
 */
export class GraphQLClient {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(serverUrl: string, connections: number) {
    this.url = new URL("/graphql", serverUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  /** Posts one operation; rejects on a transport failure or a non-JSON response. */
  post<T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>> {
    const body = JSON.stringify({ query, variables });
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        {
          method: "POST",
          agent: this.agent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            try {
              resolve(JSON.parse(text) as GraphQLResult<T>);
            } catch {
              reject(
                new Error(`HTTP ${res.statusCode}: response is not JSON: ${text.slice(0, 200)}`),
              );
            }
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  /** Posts one operation and returns its data; throws on any GraphQL error. */
  async data<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await this.post<T>(query, variables);
    if (result.errors?.length) {
      throw new Error(`GraphQL errors: ${JSON.stringify(result.errors).slice(0, 500)}`);
    }
    return result.data as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

interface RawResponse {
  status: number;
  body: string;
}

/** One keep-alive socket of KeepAliveClient, with at most one request in flight. */
class KeepAliveConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve(response: RawResponse): void; reject(error: Error): void } | null =
    null;
  failure: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.received(chunk));
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () => this.fail(new Error("the server closed the connection")));
  }

  static async open(url: URL): Promise<KeepAliveConnection> {
    const socket = connect(Number(url.port), url.hostname);
    await once(socket, "connect");
    return new KeepAliveConnection(socket);
  }

  send(request: Buffer): Promise<RawResponse> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  /** Resolves the request in flight once its headers and Content-Length bytes of body arrived. */
  private received(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const headEnd = this.buffer.indexOf("\r\n\r\n");
    if (headEnd < 0) return;
    const head = this.buffer.toString("latin1", 0, headEnd);
    const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head)?.[1];
    if (length === undefined) {
      this.fail(new Error(`response without Content-Length: ${head.split("\r\n")[0]}`));
      return;
    }
    const end = headEnd + 4 + Number(length);
    if (this.buffer.length < end) return;
    const response = {
      status: Number(head.slice("HTTP/1.1 ".length, "HTTP/1.1 ".length + 3)),
      body: this.buffer.toString("utf8", headEnd + 4, end),
    };
    this.buffer = this.buffer.subarray(end);
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve(response);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
    this.socket.destroy();
  }
}

/**
 * A load generator for the throughput benchmark that works as wrk does. It writes requests
 * encoded once in advance on keep-alive sockets, one request in flight per socket. It reads each
 * response by its Content-Length, which graphql-yoga 5.24 sends with every JSON response. Per
 * request it costs less than half the CPU time of node:http, which matters on a 2-core machine
 * where the server under test gets whatever CPU the load generator does not use.
 */
export class KeepAliveClient {
  private readonly url: URL;
  private readonly idle: KeepAliveConnection[] = [];
  private readonly open = new Set<KeepAliveConnection>();

  constructor(serverUrl: string) {
    this.url = new URL("/graphql", serverUrl);
  }

  /** Encodes a POST /graphql request for one operation, to send with post() as often as needed. */
  encode(query: string, variables?: Record<string, unknown>): Buffer {
    const body = JSON.stringify({ query, variables });
    return Buffer.from(
      `POST ${this.url.pathname} HTTP/1.1\r\nhost: ${this.url.host}\r\n` +
        "content-type: application/json\r\naccept: application/json\r\n" +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  /** Sends an encoded request. Rejects on a transport failure or a response that is not JSON. */
  async post<T>(request: Buffer): Promise<GraphQLResult<T>> {
    // The server closes a keep-alive socket that stays idle for its keep-alive timeout.
    let connection = this.idle.pop();
    while (connection?.failure) {
      this.open.delete(connection);
      connection = this.idle.pop();
    }
    connection ??= await this.connect();
    let response: RawResponse;
    try {
      response = await connection.send(request);
    } finally {
      if (connection.failure) this.open.delete(connection);
      else this.idle.push(connection);
    }
    try {
      return JSON.parse(response.body) as GraphQLResult<T>;
    } catch {
      throw new Error(
        `HTTP ${response.status}: response is not JSON: ${response.body.slice(0, 200)}`,
      );
    }
  }

  /** Sends an encoded request and returns its data. Throws on any GraphQL error. */
  async data<T>(request: Buffer): Promise<T> {
    const result = await this.post<T>(request);
    if (result.errors?.length) {
      throw new Error(`GraphQL errors: ${JSON.stringify(result.errors).slice(0, 500)}`);
    }
    return result.data as T;
  }

  close(): void {
    for (const connection of this.open) connection.close();
    this.open.clear();
    this.idle.length = 0;
  }

  private async connect(): Promise<KeepAliveConnection> {
    const connection = await KeepAliveConnection.open(this.url);
    this.open.add(connection);
    return connection;
  }
}
