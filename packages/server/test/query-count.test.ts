import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { act, categoryId, reportIncident } from "./factories";
import { BACKENDS, startTestServer, type TestServer } from "./support";

const BOARD = `query ($first: Int) {
  incidents(first: $first) {
    totalCount
    edges { node {
      key status priority
      category { name defaultTeam { name } }
      team { name } manager { name } reporter { name }
      timeline { id type actor { name } }
    } }
  }
}`;

describe.each(BACKENDS)("queries per request on %s", (backend) => {
  let server: TestServer;
  let queries: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      backend,
      // The event bus reads new events on its own schedule; only the request's queries count.
      onQuery: (sql) => {
        if (!/"incident_events"\."id" > /.test(sql)) queries.push(sql);
      },
    });
    const network = await categoryId(server, "Network");
    for (let i = 0; i < 30; i++) {
      const incident = await reportIncident(server, {
        categoryId: network,
        impact: "LOW",
        urgency: "LOW",
      });
      await act(server, "addComment", { key: incident.key, body: "looking" });
    }
  });
  afterAll(() => server.close());

  async function countFor(first: number): Promise<number> {
    queries = [];
    const data = await server.data<{ incidents: { edges: unknown[] } }>(BOARD, { first });
    expect(data.incidents.edges).toHaveLength(first);
    return queries.length;
  }

  it("stays constant as the page grows", async () => {
    const small = await countFor(2);
    const large = await countFor(25);
    expect(large).toBe(small);
  });

  it("loads a page in a few queries", async () => {
    // Prisma loads each included relation with a query of its own. So a page takes nine: the
    // page, its categories, teams, managers, reporters, the count, the timelines, their actors
    // and the default teams.
    expect(await countFor(25)).toBeLessThanOrEqual(9);
  });
});
