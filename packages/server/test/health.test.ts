import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestServer, type TestServer } from "./support";

describe.each(BACKENDS)("health on %s", (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server.close());

  it("reports the database reachable", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: "reachable" });
  });

  it("lists the standard categories", async () => {
    const data = await server.data<{
      categories: { name: string; defaultTeam: { name: string } }[];
    }>("{ categories { name defaultTeam { name } } }");
    expect(data.categories.map((c) => c.name)).toEqual([
      "Access",
      "Email",
      "Hardware",
      "Network",
      "Security",
      "Software",
      "Website",
    ]);
    expect(data.categories.every((c) => c.defaultTeam.name.length > 0)).toBe(true);
  });
});
