import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { act, categoryId, getIncident, mutate, reportIncident, teamId } from "./factories";
import { BACKENDS, errorCode, startTestServer, type TestServer } from "./support";

describe.each(BACKENDS)("incident lifecycle on %s", (backend) => {
  let server: TestServer;
  let network: string;
  let security: string;
  let securityTeam: string;
  let networkTeam: string;

  beforeAll(async () => {
    server = await startTestServer({ backend });
    network = await categoryId(server, "Network");
    security = await categoryId(server, "Security");
    networkTeam = await teamId(server, "Network Operations");
    securityTeam = await teamId(server, "Security Operations");
  });
  afterAll(() => server.close());

  it("works an incident through every step", async () => {
    const created = await reportIncident(server, { description: "APs on floor 3 drop clients" });
    expect(created.key).toMatch(/^INC-\d+$/);
    expect(created.status).toBe("IDENTIFIED");

    const categorized = await act(server, "categorizeIncident", {
      key: created.key,
      categoryId: network,
    });
    expect(categorized.status).toBe("CATEGORIZED");
    expect(categorized.team?.name).toBe("Network Operations");

    const prioritized = await act(server, "prioritizeIncident", {
      key: created.key,
      impact: "HIGH",
      urgency: "MEDIUM",
    });
    expect(prioritized.status).toBe("PRIORITIZED");
    expect(prioritized.priority).toBe("P2");

    const acknowledged = await act(server, "acknowledgeIncident", { key: created.key });
    expect(acknowledged.status).toBe("RESPONDING");
    expect(acknowledged.acknowledgedAt).not.toBeNull();

    const escalated = await act(server, "escalateIncident", {
      key: created.key,
      teamId: securityTeam,
      reason: "rogue access point suspected",
    });
    expect(escalated.team?.name).toBe("Security Operations");
    expect(escalated.escalationLevel).toBe(1);

    const commented = await act(server, "addComment", { key: created.key, body: "AP isolated" });
    expect(commented.status).toBe("RESPONDING");

    const resolved = await act(server, "resolveIncident", {
      key: created.key,
      resolution: "Rogue AP removed",
    });
    expect(resolved.status).toBe("RESOLVED");
    expect(resolved.resolution).toBe("Rogue AP removed");

    const closed = await act(server, "closeIncident", {
      key: created.key,
      problemRef: "PRB-7",
      postMortemUrl: "https://wiki.example/pm/7",
    });
    expect(closed.status).toBe("CLOSED");
    expect(closed.problemRef).toBe("PRB-7");
    expect(closed.closedAt).not.toBeNull();

    const reopened = await act(server, "reopenIncident", {
      key: created.key,
      reason: "AP is back",
    });
    expect(reopened.status).toBe("RESPONDING");
    expect(reopened.reopenCount).toBe(1);
    expect(reopened.resolvedAt).toBeNull();
    expect(reopened.acknowledgedAt).toBe(acknowledged.acknowledgedAt);

    const types = (await getIncident(server, created.key)).timeline.map((e) => e.type);
    expect(types).toEqual([
      "CREATED",
      "CATEGORIZED",
      "PRIORITIZED",
      "ACKNOWLEDGED",
      "ESCALATED",
      "COMMENTED",
      "RESOLVED",
      "CLOSED",
      "REOPENED",
    ]);
  });

  it("records actor and before and after values", async () => {
    const created = await reportIncident(server, {
      categoryId: network,
      impact: "LOW",
      urgency: "LOW",
    });
    const escalation = await act(server, "acknowledgeIncident", { key: created.key }).then(() =>
      act(server, "escalateIncident", {
        key: created.key,
        teamId: securityTeam,
        reason: "malware",
      }),
    );
    const event = escalation.timeline.at(-1);
    expect(event?.type).toBe("ESCALATED");
    expect(event?.note).toBe("malware");
    expect(event?.before).toEqual({ teamId: Number(networkTeam), escalationLevel: 0 });
    expect(event?.after).toEqual({ teamId: Number(securityTeam), escalationLevel: 1 });
    expect((event as unknown as { actor: { name: string } }).actor.name).toBe("Built-in responder");
  });

  it("creates with category and priority in one call", async () => {
    const created = await reportIncident(server, {
      categoryId: security,
      impact: "HIGH",
      urgency: "HIGH",
    });
    expect(created.status).toBe("PRIORITIZED");
    expect(created.priority).toBe("P1");
    expect(created.team?.name).toBe("Security Operations");
    expect(created.timeline.map((e) => e.type)).toEqual(["CREATED", "CATEGORIZED", "PRIORITIZED"]);
    const ids = created.timeline.map((e) => Number(e.id));
    expect(ids[1]).toBe((ids[0] as number) + 1);
    expect(ids[2]).toBe((ids[0] as number) + 2);
  });

  it("records the source of a new incident", async () => {
    const created = await reportIncident(server, {
      externalRef: `mon-${backend}-1`,
      detectedAt: "2026-01-05T08:00:00Z",
      occurredAt: "2026-01-05T08:03:00Z",
    });
    const event = created.timeline[0];
    expect(event?.type).toBe("CREATED");
    expect(event?.before).toEqual({});
    expect(event?.after.externalRef).toBe(`mon-${backend}-1`);
    expect(event?.after.detectedAt).toBe("2026-01-05T08:00:00.000Z");
    expect(event?.after.status).toBe("IDENTIFIED");
    expect(event?.after).not.toHaveProperty("reopenCount");
  });

  it("cancels an open incident with a reason", async () => {
    const created = await reportIncident(server);
    const cancelled = await act(server, "cancelIncident", {
      key: created.key,
      reason: "duplicate of INC-1",
    });
    expect(cancelled.status).toBe("CANCELLED");
    expect(cancelled.cancelReason).toBe("duplicate of INC-1");
    expect(cancelled.allowedActions).toEqual(["comment"]);
  });

  it("keeps an override with its reason", async () => {
    const created = await reportIncident(server, { categoryId: network });
    const missingReason = await mutate(server, "prioritizeIncident", {
      key: created.key,
      impact: "LOW",
      urgency: "LOW",
      priorityOverride: "P1",
    });
    expect(errorCode(missingReason)).toBe("VALIDATION_FAILED");
    expect(missingReason.errors?.[0]?.extensions?.field).toBe("overrideReason");

    const overridden = await act(server, "prioritizeIncident", {
      key: created.key,
      impact: "LOW",
      urgency: "LOW",
      priorityOverride: "P1",
      overrideReason: "CEO's laptop",
    });
    expect(overridden.priority).toBe("P1");
    expect(overridden.priorityOverridden).toBe(true);
    expect(overridden.overrideReason).toBe("CEO's laptop");
  });
});

describe.each(BACKENDS)("forbidden transitions on %s", (backend) => {
  let server: TestServer;
  let network: string;

  beforeAll(async () => {
    server = await startTestServer({ backend });
    network = await categoryId(server, "Network");
  });
  afterAll(() => server.close());

  /** Incidents in each status, and the mutations the rules forbid from it. */
  const cases: { status: string; forbidden: [string, Record<string, unknown>][] }[] = [
    {
      status: "IDENTIFIED",
      forbidden: [
        ["prioritizeIncident", { impact: "HIGH", urgency: "HIGH" }],
        ["acknowledgeIncident", {}],
        ["resolveIncident", { resolution: "done" }],
        ["closeIncident", {}],
        ["reopenIncident", { reason: "again" }],
        ["holdIncident", { reason: "waiting" }],
      ],
    },
    {
      status: "PRIORITIZED",
      forbidden: [
        ["resolveIncident", { resolution: "done" }],
        ["closeIncident", {}],
        ["escalateIncident", { teamId: "1", reason: "help" }],
      ],
    },
    {
      status: "RESOLVED",
      forbidden: [
        ["acknowledgeIncident", {}],
        ["cancelIncident", { reason: "oops" }],
        ["categorizeIncident", { categoryId: "1" }],
        ["resolveIncident", { resolution: "again" }],
      ],
    },
    {
      status: "CANCELLED",
      forbidden: [
        ["reopenIncident", { reason: "again" }],
        ["categorizeIncident", { categoryId: "1" }],
        ["closeIncident", {}],
      ],
    },
  ];

  async function incidentIn(status: string) {
    const created = await reportIncident(server, {
      ...(status !== "IDENTIFIED" ? { categoryId: network, impact: "LOW", urgency: "HIGH" } : {}),
    });
    if (status === "RESOLVED") {
      await act(server, "acknowledgeIncident", { key: created.key });
      await act(server, "resolveIncident", { key: created.key, resolution: "fixed" });
    }
    if (status === "CANCELLED") {
      await act(server, "cancelIncident", { key: created.key, reason: "false alarm" });
    }
    return getIncident(server, created.key);
  }

  for (const { status, forbidden } of cases) {
    for (const [mutation, input] of forbidden) {
      it(`rejects ${mutation} from ${status}`, async () => {
        const before = await incidentIn(status);
        expect(before.status).toBe(status);

        const response = await mutate(server, mutation, { key: before.key, ...input });
        expect(errorCode(response)).toBe("INVALID_TRANSITION");
        expect(response.errors?.[0]?.message).toContain(status);

        const after = await getIncident(server, before.key);
        expect(after.version).toBe(before.version);
        expect(after.timeline.length).toBe(before.timeline.length);
      });
    }
  }

  it("rejects a second acknowledgement as conflict", async () => {
    const incident = await incidentIn("PRIORITIZED");
    await act(server, "acknowledgeIncident", { key: incident.key });
    const again = await mutate(server, "acknowledgeIncident", { key: incident.key });
    expect(errorCode(again)).toBe("CONFLICT");
  });

  it("rejects an unknown key as not found", async () => {
    const response = await mutate(server, "acknowledgeIncident", { key: "INC-999999" });
    expect(errorCode(response)).toBe("NOT_FOUND");
    expect(response.errors?.[0]?.extensions?.field).toBe("key");
  });

  it("rejects a malformed key", async () => {
    const response = await mutate(server, "acknowledgeIncident", { key: "42" });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.message).toContain("INC-42");
  });

  it("rejects an unknown category", async () => {
    const incident = await incidentIn("IDENTIFIED");
    const response = await mutate(server, "categorizeIncident", {
      key: incident.key,
      categoryId: "9999",
    });
    expect(errorCode(response)).toBe("NOT_FOUND");
    expect(response.errors?.[0]?.extensions?.field).toBe("categoryId");
    expect((await getIncident(server, incident.key)).version).toBe(incident.version);
  });

  it("requires a resolution summary", async () => {
    const incident = await incidentIn("PRIORITIZED");
    await act(server, "acknowledgeIncident", { key: incident.key });
    const response = await mutate(server, "resolveIncident", {
      key: incident.key,
      resolution: "  ",
    });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
    expect(response.errors?.[0]?.extensions?.field).toBe("resolution");
    expect((await getIncident(server, incident.key)).status).toBe("RESPONDING");
  });

  it("rejects a stale expected version", async () => {
    const incident = await incidentIn("PRIORITIZED");
    const response = await mutate(server, "acknowledgeIncident", {
      key: incident.key,
      expectedVersion: incident.version - 1,
    });
    expect(errorCode(response)).toBe("CONFLICT");
    expect(response.errors?.[0]?.extensions?.field).toBe("expectedVersion");
    const ok = await act(server, "acknowledgeIncident", {
      key: incident.key,
      expectedVersion: incident.version,
    });
    expect(ok.version).toBe(incident.version + 1);
  });
});
