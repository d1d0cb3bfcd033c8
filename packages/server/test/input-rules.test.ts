import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { act, categoryId, getIncident, mutate, reportIncident } from "./factories";
import { BACKENDS, errorCode, startTestServer, type TestServer } from "./support";

const CREATE = `mutation ($input: CreateIncidentInput!) { createIncident(input: $input) { key } }`;

describe.each(BACKENDS)("input rules on %s", (backend) => {
  let server: TestServer;
  let network: string;

  beforeAll(async () => {
    server = await startTestServer({ backend, env: { DESCRIPTION_MAX_LENGTH: "300" } });
    network = await categoryId(server, "Network");
  });
  afterAll(() => server.close());

  async function incidentCount() {
    const data = await server.data<{ incidents: { totalCount: number } }>(
      "{ incidents { totalCount } }",
    );
    return data.incidents.totalCount;
  }

  it("accepts a title of exactly 120 characters", async () => {
    const incident = await reportIncident(server, { title: "x".repeat(120) });
    expect(incident.title).toHaveLength(120);
  });

  it("rejects a title over 120 characters", async () => {
    const before = await incidentCount();
    const response = await server.gql(CREATE, { input: { title: "x".repeat(121) } });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("title");
    expect(response.errors?.[0]?.message).toContain("at most 120 characters");
    expect(await incidentCount()).toBe(before);
  });

  it("rejects a blank title", async () => {
    const response = await server.gql(CREATE, { input: { title: "   " } });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("title");
  });

  it("applies the configured description limit", async () => {
    const ok = await reportIncident(server, { description: "d".repeat(300) });
    expect(ok.key).toMatch(/^INC-/);
    const before = await incidentCount();
    const response = await server.gql(CREATE, {
      input: { title: "Mail down", description: "d".repeat(301) },
    });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("description");
    expect(response.errors?.[0]?.message).toContain("at most 300 characters");
    expect(await incidentCount()).toBe(before);
  });

  it("rejects an occurredAt in the future", async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const response = await server.gql(CREATE, {
      input: { title: "Slow site", occurredAt: future },
    });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("occurredAt");
    expect(response.errors?.[0]?.message).toContain("future");
  });

  it("rejects detection after the report", async () => {
    const response = await server.gql(CREATE, {
      input: {
        title: "Slow site",
        occurredAt: "2026-01-01T10:00:00Z",
        detectedAt: "2026-01-01T11:00:00Z",
      },
    });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("detectedAt");
  });

  it("records a past occurredAt on the event", async () => {
    const incident = await reportIncident(server, {
      detectedAt: "2026-01-01T09:55:00Z",
      occurredAt: "2026-01-01T10:00:00Z",
      categoryId: network,
      impact: "HIGH",
      urgency: "HIGH",
    });
    expect(incident.detectedAt).toBe("2026-01-01T09:55:00.000Z");
    const acknowledged = await act(server, "acknowledgeIncident", {
      key: incident.key,
      occurredAt: "2026-01-01T10:04:00Z",
    });
    expect(acknowledged.acknowledgedAt).toBe("2026-01-01T10:04:00.000Z");
    expect(acknowledged.timeline.at(-1)?.occurredAt).toBe("2026-01-01T10:04:00.000Z");
  });

  it("rejects an occurredAt before the previous event", async () => {
    const incident = await reportIncident(server, {
      occurredAt: "2026-01-02T10:00:00Z",
      categoryId: network,
      impact: "LOW",
      urgency: "LOW",
    });
    const response = await mutate(server, "acknowledgeIncident", {
      key: incident.key,
      occurredAt: "2026-01-02T09:59:59Z",
    });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("occurredAt");
    expect(response.errors?.[0]?.message).toContain("previous event");
    expect((await getIncident(server, incident.key)).status).toBe("PRIORITIZED");
  });

  it("rejects a date-time without a time zone", async () => {
    const response = await server.gql(CREATE, {
      input: { title: "Slow site", occurredAt: "2026-01-01 10:00" },
    });
    expect(response.errors?.[0]?.message).toContain("RFC 3339");
  });

  it("requires a category before impact and urgency", async () => {
    const response = await server.gql(CREATE, {
      input: { title: "Slow site", impact: "HIGH", urgency: "LOW" },
    });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("categoryId");
  });

  it("requires urgency with impact", async () => {
    const response = await server.gql(CREATE, {
      input: { title: "Slow site", categoryId: network, impact: "HIGH" },
    });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("urgency");
  });

  it("rejects a duplicate external reference", async () => {
    await reportIncident(server, { externalRef: "ALERT-77" });
    const response = await server.gql(CREATE, {
      input: { title: "Again", externalRef: "ALERT-77" },
    });
    expect(errorCode(response)).toBe("CONFLICT");
    expect(response.errors?.[0]?.extensions?.field).toBe("externalRef");
  });

  it("rejects a duplicate team name", async () => {
    const query = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id name } }`;
    const created = await server.data<{ createTeam: { name: string } }>(query, {
      input: { name: "Database Reliability" },
    });
    expect(created.createTeam.name).toBe("Database Reliability");
    const again = await server.gql(query, { input: { name: "database reliability" } });
    expect(errorCode(again)).toBe("CONFLICT");
  });

  it("creates a category routed to a team", async () => {
    const teams = await server.data<{ teams: { id: string; name: string }[] }>(
      "{ teams { id name } }",
    );
    const team = teams.teams[0] as { id: string; name: string };
    const query = `mutation ($input: CreateCategoryInput!) {
      createCategory(input: $input) { name defaultTeam { name } } }`;
    const created = await server.data<{ createCategory: { defaultTeam: { name: string } } }>(
      query,
      {
        input: { name: "Printing", defaultTeamId: team.id },
      },
    );
    expect(created.createCategory.defaultTeam.name).toBe(team.name);
    const unknownTeam = await server.gql(query, { input: { name: "Fax", defaultTeamId: "99999" } });
    expect(errorCode(unknownTeam)).toBe("NOT_FOUND");
  });
});
