import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { act, categoryId, reportIncident, teamId } from "./factories";
import { BACKENDS, errorCode, startTestServer, type TestServer } from "./support";

const PAGE = `query ($filter: IncidentFilter, $first: Int, $after: String) {
  incidents(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { key number detectedAt status priority } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Page {
  incidents: {
    totalCount: number;
    edges: { cursor: string; node: { key: string; number: number; detectedAt: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

describe.each(BACKENDS)("incident pagination on %s", (backend) => {
  let server: TestServer;
  let network: string;
  let email: string;

  beforeAll(async () => {
    server = await startTestServer({ backend });
    network = await categoryId(server, "Network");
    email = await categoryId(server, "Email");
  });
  afterAll(() => server.close());

  it("neither skips nor repeats rows while rows change", async () => {
    const tag = `paging-${backend}`;
    const base = Date.parse("2026-02-01T00:00:00Z");
    const originals: string[] = [];
    for (let i = 0; i < 23; i++) {
      // Every third incident shares its detection time with the previous one: ties by number.
      const minute = i - Math.floor(i / 3);
      const at = new Date(base + minute * 60_000).toISOString();
      const incident = await reportIncident(server, {
        title: `${tag} ${i}`,
        detectedAt: at,
        occurredAt: at,
      });
      originals.push(incident.key);
    }

    const seen: string[] = [];
    let after: string | null = null;
    let round = 0;
    for (;;) {
      const page: Page = await server.data<Page>(PAGE, {
        filter: { search: tag },
        first: 5,
        after,
      });
      seen.push(...page.incidents.edges.map((e) => e.node.key));
      if (!page.incidents.pageInfo.hasNextPage) break;
      after = page.incidents.pageInfo.endCursor;

      // Between pages a newer incident arrives and an already-listed incident changes.
      round++;
      const newer = new Date(base + 3_600_000 + round * 60_000).toISOString();
      await reportIncident(server, {
        title: `${tag} new ${round}`,
        detectedAt: newer,
        occurredAt: newer,
      });
      await act(server, "categorizeIncident", {
        key: seen[0],
        categoryId: round % 2 ? network : email,
      });
    }

    const expected = [...originals].reverse();
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("orders by detection then number", async () => {
    const tag = `order-${backend}`;
    const at = "2026-03-01T00:00:00.000Z";
    const a = await reportIncident(server, { title: `${tag} a`, detectedAt: at, occurredAt: at });
    const b = await reportIncident(server, { title: `${tag} b`, detectedAt: at, occurredAt: at });
    const older = "2026-02-28T00:00:00.000Z";
    const c = await reportIncident(server, {
      title: `${tag} c`,
      detectedAt: older,
      occurredAt: older,
    });
    const page = await server.data<Page>(PAGE, { filter: { search: tag }, first: 10 });
    expect(page.incidents.edges.map((e) => e.node.key)).toEqual([b.key, a.key, c.key]);
    expect(page.incidents.totalCount).toBe(3);
  });

  it("filters by status, priority, category and team", async () => {
    const tag = `filter-${backend}`;
    const security = await categoryId(server, "Security");
    const securityTeam = await teamId(server, "Security Operations");
    const p1 = await reportIncident(server, {
      title: `${tag} malware`,
      categoryId: security,
      impact: "HIGH",
      urgency: "HIGH",
    });
    const p5 = await reportIncident(server, {
      title: `${tag} slow mail`,
      categoryId: email,
      impact: "LOW",
      urgency: "LOW",
    });
    await reportIncident(server, { title: `${tag} unsorted` });
    await act(server, "acknowledgeIncident", { key: p1.key });

    const keys = async (filter: Record<string, unknown>) =>
      (
        await server.data<Page>(PAGE, { filter: { search: tag, ...filter }, first: 10 })
      ).incidents.edges.map((e) => e.node.key);
    expect(await keys({ status: ["RESPONDING"] })).toEqual([p1.key]);
    expect(await keys({ priority: ["P5"] })).toEqual([p5.key]);
    expect(await keys({ priority: ["P1", "P5"] })).toEqual([p5.key, p1.key]);
    expect(await keys({ categoryId: [security] })).toEqual([p1.key]);
    expect(await keys({ teamId: [securityTeam] })).toEqual([p1.key]);
    expect(await keys({ status: ["IDENTIFIED"], priority: ["P1"] })).toEqual([]);
    expect(await keys({ search: p5.key })).toEqual([p5.key]);
  });

  it("filters by detection window", async () => {
    const tag = `window-${backend}`;
    const inside = await reportIncident(server, {
      title: `${tag} in`,
      detectedAt: "2025-06-10T00:00:00Z",
      occurredAt: "2025-06-10T00:00:00Z",
    });
    await reportIncident(server, {
      title: `${tag} out`,
      detectedAt: "2025-07-10T00:00:00Z",
      occurredAt: "2025-07-10T00:00:00Z",
    });
    const page = await server.data<Page>(PAGE, {
      filter: {
        search: tag,
        detectedFrom: "2025-06-01T00:00:00Z",
        detectedTo: "2025-07-01T00:00:00Z",
      },
    });
    expect(page.incidents.edges.map((e) => e.node.key)).toEqual([inside.key]);
  });

  it("rejects a page size over 100", async () => {
    const response = await server.gql(PAGE, { first: 101 });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("first");
  });

  it("rejects a malformed cursor", async () => {
    const response = await server.gql(PAGE, { after: "not-a-cursor" });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("after");
  });
});
