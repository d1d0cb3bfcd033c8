import { once } from "node:events";
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { act, categoryId, getIncident, mutate, reportIncident } from "./factories";
import { handshake } from "./live-support";
import {
  BACKENDS,
  createPostgresDatabase,
  errorCode,
  type GraphQLResponse,
  startTestServer,
  type TestServer,
} from "./support";

const CREATE = `mutation ($input: CreateIncidentInput!) { createIncident(input: $input) { key } }`;

describe.each(BACKENDS)("hostile input on %s", (backend) => {
  let server: TestServer;
  let network: string;

  beforeAll(async () => {
    server = await startTestServer({ backend });
    network = await categoryId(server, "Network");
  });
  afterAll(() => server.close());

  it("rejects a deeply nested query", async () => {
    const incident = await reportIncident(server);
    const depth = 12;
    const query = `{ incident(key: "${incident.key}") { ${"timeline { incident { ".repeat(depth)} key ${"} } ".repeat(depth)} } }`;
    const started = Date.now();
    const response = await server.gql(query);
    expect(response.errors?.[0]?.message).toMatch(/depth/i);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("rejects too many aliases", async () => {
    const aliases = Array.from({ length: 50 }, (_, i) => `k${i}: kpis { total }`).join(" ");
    const response = await server.gql(`{ ${aliases} }`);
    expect(response.errors?.[0]?.message).toMatch(/alias/i);
  });

  it("rejects a form-encoded post", async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://evil.test" },
      body: new URLSearchParams({
        query: `mutation { createIncident(input: { title: "csrf" }) { key } }`,
      }),
    });
    expect(response.status).toBe(415);
    const total = await server.data<{ incidents: { totalCount: number } }>(
      `{ incidents(filter: { search: "csrf" }) { totalCount } }`,
    );
    expect(total.incidents.totalCount).toBe(0);
  });

  it("sends no CORS headers by default", async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://evil.test" },
      body: JSON.stringify({ query: "{ lastEventId }" }),
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("x-request-id")).toMatch(/[0-9a-f-]{36}/);
  });

  it("rejects NUL characters with a code", async () => {
    const response = await server.gql(CREATE, { input: { title: "Mail\u0000down" } });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("title");
    const search = await server.gql(
      `query ($s: String) { incidents(filter: { search: $s }) { totalCount } }`,
      {
        s: "a\u0000b",
      },
    );
    expect(errorCode(search)).toBe("VALIDATION_FAILED");
  });

  it("rejects line breaks in a title", async () => {
    const response = await server.gql(CREATE, { input: { title: "Mail\r\ndown" } });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
  });

  it("matches % and _ literally everywhere", async () => {
    await reportIncident(server, { title: "Disk 100% full on db-7" });
    await reportIncident(server, { title: "Disk 1000 blocks free" });
    const query = `query ($f: IncidentFilter) { incidents(filter: $f) { totalCount } kpis(filter: $f) { total } }`;
    const percent = await server.data(query, { f: { search: "100%" } });
    expect(percent.incidents.totalCount).toBe(1);
    expect(percent.kpis.total).toBe(1);
    const underscore = await server.data(query, { f: { search: "10_0" } });
    expect(underscore.incidents.totalCount).toBe(0);
    expect(underscore.kpis.total).toBe(0);
  });

  it("rejects impossible calendar dates", async () => {
    for (const at of ["2026-02-30T00:00:00Z", "2026-04-31T10:00:00Z", "2026-01-01T24:00:00Z"]) {
      const response = await server.gql(CREATE, { input: { title: "Clock", detectedAt: at } });
      expect(response.errors?.[0]?.message, at).toContain("not a valid date");
    }
  });

  it("rejects dates before 1970", async () => {
    const response = await server.gql(CREATE, {
      input: { title: "Old", detectedAt: "0001-01-01T00:00:00Z" },
    });
    expect(response.errors?.[0]?.message).toContain("1970");
  });

  it("rejects an overlong filter list", async () => {
    const ids = Array.from({ length: 101 }, (_, i) => String(i + 1));
    const response = await server.gql(
      `query ($ids: [ID!]) { incidents(filter: { teamId: $ids }) { totalCount } }`,
      { ids },
    );
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("filter.teamId");
  });

  it("codes variable errors", async () => {
    const response = await server.gql(CREATE, { input: { title: "x", impact: "high" } });
    expect(errorCode(response)).toBe("BAD_USER_INPUT");
    const unknownField = await server.gql(CREATE, { input: { title: "x", colour: "red" } });
    expect(errorCode(unknownField)).toBe("BAD_USER_INPUT");
  });

  it("parses ids strictly", async () => {
    const incident = await reportIncident(server);
    for (const id of ["0x7", "7.0", "1e3", "+7", "007", " 7"]) {
      const response = await mutate(server, "categorizeIncident", {
        key: incident.key,
        categoryId: id,
      });
      expect(errorCode(response), id).toBe("VALIDATION_FAILED");
    }
  });

  it("records nothing for a repeated categorization", async () => {
    const incident = await reportIncident(server, { categoryId: network });
    const again = await act(server, "categorizeIncident", {
      key: incident.key,
      categoryId: network,
    });
    expect(again.version).toBe(incident.version);
    expect((await getIncident(server, incident.key)).timeline).toHaveLength(
      incident.timeline.length,
    );
  });

  it("accepts only http post-mortem links", async () => {
    const incident = await reportIncident(server, {
      categoryId: network,
      impact: "LOW",
      urgency: "LOW",
    });
    await act(server, "acknowledgeIncident", { key: incident.key });
    await act(server, "resolveIncident", { key: incident.key, resolution: "fixed" });
    const response = await mutate(server, "closeIncident", {
      key: incident.key,
      postMortemUrl: "javascript:alert(1)",
    });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("postMortemUrl");
    const closed = await act(server, "closeIncident", {
      key: incident.key,
      postMortemUrl: "https://wiki.example/pm/1",
    });
    expect(closed.postMortemUrl).toBe("https://wiki.example/pm/1");
  });

  it("fails an over-limit subscription alone", async () => {
    const printed = vi.spyOn(console, "error");
    const socket = await handshake(`${server.url.replace("http", "ws")}/graphql`);
    try {
      const errors: unknown[] = [];
      socket.on("message", (data) => {
        const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
        if (message.type === "error") errors.push(message.payload);
      });
      const aliases = Array.from({ length: 50 }, (_, i) => `a${i}: incidentEvents { id }`);
      socket.send(
        JSON.stringify({
          id: "aliases",
          type: "subscribe",
          payload: { query: `subscription { ${aliases.join(" ")} }` },
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(errors).toHaveLength(1);
      expect(JSON.stringify(errors[0])).toMatch(/alias/i);
      expect(JSON.stringify(errors[0])).toContain('"code":"BAD_USER_INPUT"');
      expect(socket.readyState).toBe(WebSocket.OPEN);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
      socket.terminate();
    }
  });

  it("rejects invalid JSON in GET parameters", async () => {
    const response = await fetch(`${server.url}/graphql?query=%7B__typename%7D&variables=%7B`);
    expect(response.status).toBe(400);
    const result = (await response.json()) as GraphQLResponse<unknown>;
    expect(result.errors?.[0]?.message).toBe("variables: the parameter is not valid JSON");
    expect(errorCode(result)).toBe("BAD_REQUEST");
  });

  it("checks GET parameters after a second ?", async () => {
    const response = await fetch(`${server.url}/graphql?query=%7BlastEventId%7D?&variables=%7Bbad`);
    expect(response.status).toBe(400);
    const result = (await response.json()) as GraphQLResponse<unknown>;
    expect(result.errors?.[0]?.message).toBe("variables: the parameter is not valid JSON");
  });

  it("labels every response with a request id", async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const named = await fetch(`${server.url}/healthz`, { headers: { "x-request-id": "probe-1" } });
    expect(named.headers.get("x-request-id")).toBe("probe-1");
  });

  it("replaces an empty request id", async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "" },
      body: JSON.stringify({ query: "{ lastEventId }" }),
    });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("limits subscriptions per connection", async () => {
    const socket = await handshake(`${server.url.replace("http", "ws")}/graphql`);
    try {
      const errors: unknown[] = [];
      socket.on("message", (data) => {
        const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
        if (message.type === "error") errors.push(message.payload);
      });
      for (let i = 0; i < 21; i++) {
        socket.send(
          JSON.stringify({
            id: `s${i}`,
            type: "subscribe",
            payload: { query: "subscription { incidentEvents { id } }" },
          }),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(errors).toHaveLength(1);
      expect(JSON.stringify(errors[0])).toContain("LIMIT_EXCEEDED");
      expect(socket.readyState).toBe(WebSocket.OPEN);
    } finally {
      socket.terminate();
    }
  });
});

/** Posts a body of exactly `bytes` bytes: the create padded with spaces, which JSON ignores. */
function paddedCreate(server: TestServer, title: string, bytes: number) {
  const body = JSON.stringify({ query: CREATE, variables: { input: { title } } });
  return fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body + " ".repeat(bytes - Buffer.byteLength(body)),
  });
}

/** Writes raw bytes on a new connection and returns what the server sends until it closes. */
async function rawExchange(server: TestServer, bytes: string): Promise<string> {
  const socket = connect(server.port, "127.0.0.1");
  await once(socket, "connect");
  socket.write(bytes);
  let text = "";
  for await (const chunk of socket) text += String(chunk);
  return text;
}

/** Posts a create as a chunked body, which carries no Content-Length header. */
function chunkedCreate(server: TestServer, title: string) {
  const body = JSON.stringify({ query: CREATE, variables: { input: { title } } });
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
    });
    req.on("response", async (res) => {
      let text = "";
      for await (const chunk of res) text += String(chunk);
      resolve({ status: res.statusCode ?? 0, body: text });
    });
    req.on("error", reject);
    req.write(body.slice(0, 10));
    req.end(body.slice(10));
  });
}

describe.each(BACKENDS)("request body limit on %s", (backend) => {
  const LIMIT = 4096;
  const TIMEOUT_MS = 2_000;
  let server: TestServer;
  const stored = async (title: string) => {
    const data = await server.data<{ incidents: { totalCount: number } }>(
      `query ($s: String) { incidents(filter: { search: $s }) { totalCount } }`,
      { s: title },
    );
    return data.incidents.totalCount;
  };

  beforeAll(async () => {
    server = await startTestServer({
      backend,
      env: { MAX_REQUEST_BYTES: String(LIMIT), REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) },
    });
  });
  afterAll(() => server.close());

  it("accepts a body of exactly the limit", async () => {
    const response = await paddedCreate(server, "Body at the limit", LIMIT);
    expect(response.status).toBe(200);
    const result = (await response.json()) as { data?: { createIncident: { key: string } } };
    expect(result.data?.createIncident.key).toMatch(/^INC-\d+$/);
    expect(await stored("Body at the limit")).toBe(1);
  });

  it("rejects a body over the limit", async () => {
    const response = await paddedCreate(server, "Body over the limit", LIMIT + 1);
    expect(response.status).toBe(413);
    const result = (await response.json()) as GraphQLResponse<unknown>;
    expect(result.errors?.[0]?.message).toBe(
      `the request body has ${LIMIT + 1} bytes; the server takes at most ${LIMIT} ` +
        "(MAX_REQUEST_BYTES)",
    );
    expect(errorCode(result)).toBe("PAYLOAD_TOO_LARGE");
    expect(await stored("Body over the limit")).toBe(0);
  });

  it("rejects a chunked body", async () => {
    const response = await chunkedCreate(server, "Chunked body");
    expect(response.status).toBe(411);
    const result = JSON.parse(response.body) as GraphQLResponse<unknown>;
    expect(result.errors?.[0]?.message).toBe(
      "a request body needs a Content-Length header; chunked request bodies are not accepted",
    );
    expect(errorCode(result)).toBe("BAD_REQUEST");
    expect(await stored("Chunked body")).toBe(0);
  });

  it("leaves an empty post to Yoga", async () => {
    // With neither Content-Length nor Transfer-Encoding, an HTTP/1.1 request has no body.
    const text = await rawExchange(
      server,
      "POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n" +
        "connection: close\r\n\r\n",
    );
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).not.toMatch(/Content-Length header/);
  });

  it("closes a WebSocket that sends a larger message", async () => {
    const printed = vi.spyOn(console, "error");
    const socket = await handshake(`${server.url.replace("http", "ws")}/graphql`);
    const closed = once(socket, "close") as Promise<[number, Buffer]>;
    socket.send(
      JSON.stringify({
        id: "large",
        type: "subscribe",
        payload: { query: `subscription { incidentEvents { id } }${" ".repeat(LIMIT)}` },
      }),
    );
    const [code] = await closed;
    expect(code).toBe(1009);
    expect(printed).not.toHaveBeenCalled();
    printed.mockRestore();
  });

  it("runs no request pipelined behind a rejected one", async () => {
    const large = JSON.stringify({ query: CREATE, variables: { input: { title: "Pipelined" } } });
    const small = JSON.stringify({ query: CREATE, variables: { input: { title: "Behind" } } });
    const post = (body: string) =>
      "POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n" +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const text = await rawExchange(
      server,
      post(large + " ".repeat(LIMIT)) + post(small) + post(small),
    );

    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(await stored("Behind")).toBe(0);
  });

  it("rejects a body pipelined behind another request", async () => {
    const text = await rawExchange(
      server,
      "GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n" +
        "POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n" +
        `content-length: ${LIMIT + 1}\r\n\r\n`,
    );

    expect(text.match(/HTTP\/1\.1 \d+/g)).toEqual(["HTTP/1.1 200", "HTTP/1.1 413"]);
    expect(await stored("anything")).toBe(0);
  });

  it("accepts the JSON content type in any case", async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "Application/JSON; Charset=UTF-8" },
      body: JSON.stringify({ query: "{ lastEventId }" }),
    });
    expect(response.status).toBe(200);
    const result = (await response.json()) as GraphQLResponse<{ lastEventId: string }>;
    expect(result.data?.lastEventId).toBeDefined();
  });

  it("rejects a large body before 100 Continue", async () => {
    const text = await rawExchange(
      server,
      "POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n" +
        `expect: 100-continue\r\ncontent-length: ${LIMIT + 1}\r\n\r\n`,
    );
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).not.toContain("100 Continue");
  });

  it("continues a body within the limit", async () => {
    const body = JSON.stringify({ query: CREATE, variables: { input: { title: "Continued" } } });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          expect: "100-continue",
        },
      });
      req.on("continue", () => req.end(body));
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
    });
    expect(status).toBe(200);
    expect(await stored("Continued")).toBe(1);
  });

  it("limits the body on every path", async () => {
    const text = await rawExchange(
      server,
      `POST /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${LIMIT + 1}\r\n\r\n`,
    );
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain('"code":"PAYLOAD_TOO_LARGE"');
  });

  it("rejects the GraphQL response type", async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/graphql-response+json" },
      body: JSON.stringify({ query: "{ lastEventId }" }),
    });
    expect(response.status).toBe(415);
    expect(errorCode((await response.json()) as GraphQLResponse<unknown>)).toBe("BAD_REQUEST");
  });

  it("times out a stalled body", async () => {
    const started = Date.now();
    const text = await rawExchange(
      server,
      "POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n" +
        'content-length: 100\r\n\r\n{"query":',
    );
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
  });

  it("serves the next request after a rejected one", async () => {
    const rejected = await paddedCreate(server, "Rejected first", LIMIT + 100);
    expect(rejected.status).toBe(413);
    const accepted = await paddedCreate(server, "Accepted after", LIMIT - 100);
    expect(accepted.status).toBe(200);
    expect(await stored("Accepted after")).toBe(1);
  });
});

describe.skipIf(!BACKENDS.includes("postgres"))("concurrent start on a new database", () => {
  it("creates the standard data once", async () => {
    const database = await createPostgresDatabase();
    try {
      const servers = await Promise.all(
        [1, 2, 3].map(() => startTestServer({ backend: "postgres", databaseUrl: database.url })),
      );
      const categories = await servers[0]?.data<{ categories: unknown[] }>("{ categories { id } }");
      expect(categories?.categories).toHaveLength(7);
      await Promise.all(servers.map((s) => s.stop()));
    } finally {
      await database.drop();
    }
  });
});
