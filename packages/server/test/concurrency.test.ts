import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { act, categoryId, getIncident, mutate, reportIncident, teamId } from "./factories";
import { BACKENDS, errorCode, startTestServer, type TestServer } from "./support";

describe.each(BACKENDS)("concurrent changes on %s", (backend) => {
  let server: TestServer;
  let network: string;

  beforeAll(async () => {
    server = await startTestServer({ backend });
    network = await categoryId(server, "Network");
  });
  afterAll(() => server.close());

  it("acknowledges once among ten responders", async () => {
    const incident = await reportIncident(server, {
      categoryId: network,
      impact: "HIGH",
      urgency: "HIGH",
    });
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        mutate(server, "acknowledgeIncident", { key: incident.key }),
      ),
    );
    const succeeded = responses.filter((r) => !r.errors);
    const conflicts = responses.filter((r) => errorCode(r) === "CONFLICT");
    expect(succeeded).toHaveLength(1);
    expect(conflicts).toHaveLength(9);

    const after = await getIncident(server, incident.key);
    expect(after.timeline.filter((e) => e.type === "ACKNOWLEDGED")).toHaveLength(1);
    expect(after.version).toBe(incident.version + 1);
  });

  it("escalates once when two pick the same team", async () => {
    const incident = await reportIncident(server, {
      categoryId: network,
      impact: "LOW",
      urgency: "HIGH",
    });
    await act(server, "acknowledgeIncident", { key: incident.key });
    const security = await teamId(server, "Security Operations");
    const responses = await Promise.all(
      [1, 2].map(() =>
        mutate(server, "escalateIncident", {
          key: incident.key,
          teamId: security,
          reason: "malware",
        }),
      ),
    );
    expect(responses.filter((r) => !r.errors)).toHaveLength(1);
    expect(responses.filter((r) => errorCode(r) === "CONFLICT")).toHaveLength(1);
    const after = await getIncident(server, incident.key);
    expect(after.escalationLevel).toBe(1);
  });

  it("keeps every concurrent change of one incident", async () => {
    const incident = await reportIncident(server);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        mutate(server, "addComment", { key: incident.key, body: `note ${i}` }),
      ),
    );
    expect(responses.flatMap((r) => r.errors ?? [])).toEqual([]);
    const after = await getIncident(server, incident.key);
    expect(after.version).toBe(incident.version + 20);
    expect(after.timeline.filter((e) => e.type === "COMMENTED")).toHaveLength(20);
  });

  it("numbers concurrent creates without gaps", async () => {
    const before = await server.data<{ incidents: { edges: { node: { number: number } }[] } }>(
      "{ incidents(first: 1) { edges { node { number } } } }",
    );
    const start = before.incidents.edges[0]?.node.number ?? 0;
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) => reportIncident(server, { title: `burst ${i}` })),
    );
    const numbers = created.map((c) => c.number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => start + i + 1));
    expect(new Set(created.map((c) => c.key)).size).toBe(40);
  });

  it("leaves no gap after a rejected create", async () => {
    const first = await reportIncident(server, { externalRef: `gap-${backend}` });
    const rejected = await server.gql(
      `mutation { createIncident(input: { title: "dup", externalRef: "gap-${backend}" }) { key } }`,
    );
    expect(errorCode(rejected)).toBe("CONFLICT");
    const next = await reportIncident(server);
    expect(next.number).toBe(first.number + 1);
  });

  it("gives gap-free event ids under load", async () => {
    const incidents = await Promise.all(Array.from({ length: 10 }, () => reportIncident(server)));
    await Promise.all(
      incidents.map((i) => mutate(server, "addComment", { key: i.key, body: "parallel" })),
    );
    const rows = await server.services.prisma.incidentEvent.findMany({
      select: { id: true },
      orderBy: { id: "asc" },
    });
    const ids = rows.map((r) => Number(r.id));
    expect(ids[0]).toBe(1);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
  });
});

describe.each(BACKENDS)("batched creates on %s", (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server.close());

  it("fails only the bad create of a burst", async () => {
    const before = await reportIncident(server, { title: "before the burst" });
    const inputs = Array.from({ length: 30 }, (_, i) => {
      if (i === 10) return { title: "unknown category", categoryId: "99999" };
      if (i === 15) return { title: "disk \ud800 full" };
      if (i === 20 || i === 21) return { title: `duplicate ${i}`, externalRef: `burst-${backend}` };
      return { title: `burst ${i}` };
    });
    const responses = await Promise.all(
      inputs.map((input) =>
        server.gql<{ createIncident: { number: number } }>(
          `mutation ($input: CreateIncidentInput!) { createIncident(input: $input) { number } }`,
          { input },
        ),
      ),
    );
    expect(errorCode(responses[10] as never)).toBe("NOT_FOUND");
    expect(errorCode(responses[15] as never)).toBe("VALIDATION_FAILED");
    const duplicates = [responses[20], responses[21]].map((r) => errorCode(r as never));
    expect(duplicates.filter((code) => code === "CONFLICT")).toHaveLength(1);
    expect(duplicates.filter((code) => code === undefined)).toHaveLength(1);

    const numbers = responses
      .map((r) => r.data?.createIncident.number)
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b);
    expect(numbers).toHaveLength(27);
    expect(numbers).toEqual(Array.from({ length: 27 }, (_, i) => before.number + i + 1));
  });
});
