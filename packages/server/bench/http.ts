import { Agent, request } from "node:http";

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
