import { percentile } from "@incident/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { act, categoryId, reportIncident, teamId } from "./factories";
import { BACKENDS, errorCode, startTestServer, type TestServer } from "./support";

const KPIS = `query ($filter: IncidentFilter) {
  kpis(filter: $filter) {
    total cancelled
    timeToAcknowledge { count mean median p90 }
    timeToResolve { count mean median p90 }
    timeToClose { count mean median p90 }
    byStatus { status count }
    byPriority { priority count }
    byTeam { teamId count }
    acknowledgeSla { measured breached rate }
    resolveSla { measured breached rate }
    escalated escalationRate reopened reopenCount reopenRate
  }
}`;

const T0 = Date.parse("2024-05-01T00:00:00Z");
const at = (seconds: number, offsetHours = 0) =>
  new Date(T0 + offsetHours * 3_600_000 + seconds * 1000).toISOString();

/** Filter selecting only this test's incidents. */
const WINDOW = { detectedFrom: "2024-05-01T00:00:00Z", detectedTo: "2024-05-02T00:00:00Z" };

describe.each(BACKENDS)("kpis on %s", (backend) => {
  let server: TestServer;
  let security: string;
  let networkTeam: string;

  beforeAll(async () => {
    server = await startTestServer({ backend });
    const network = await categoryId(server, "Network");
    security = await categoryId(server, "Security");
    networkTeam = await teamId(server, "Network Operations");

    const open = (hours: number, impact: string, urgency: string, category = network) =>
      reportIncident(server, {
        title: `kpi ${hours}`,
        detectedAt: at(0, hours),
        occurredAt: at(0, hours),
        categoryId: category,
        impact,
        urgency,
      });
    const step = (name: string, key: string, seconds: number, hours: number, input = {}) =>
      act(server, name, { key, occurredAt: at(seconds, hours), ...input });

    // A: P1, acknowledged after 120 s, resolved after 1,800 s, closed after 3,600 s.
    const a = await open(0, "HIGH", "HIGH");
    await step("acknowledgeIncident", a.key, 120, 0);
    await step("resolveIncident", a.key, 1800, 0, { resolution: "rebooted" });
    await step("closeIncident", a.key, 3600, 0);

    // B: P3, 600 s, 7,200 s, 10,800 s.
    const b = await open(1, "MEDIUM", "MEDIUM");
    await step("acknowledgeIncident", b.key, 600, 1);
    await step("resolveIncident", b.key, 7200, 1, { resolution: "patched" });
    await step("closeIncident", b.key, 10800, 1);

    // C: P5, acknowledged after 30,000 s (over the 8 h target), resolved after 36,000 s.
    const c = await open(2, "LOW", "LOW");
    await step("acknowledgeIncident", c.key, 30000, 2);
    await step("resolveIncident", c.key, 36000, 2, { resolution: "replaced cable" });

    // D: P1 in Security, acknowledged after 400 s (over 300 s), resolved, closed, reopened,
    // resolved again after 25,000 s (over 4 h) and closed after 26,000 s.
    const d = await open(3, "HIGH", "HIGH", security);
    await step("acknowledgeIncident", d.key, 400, 3);
    await step("resolveIncident", d.key, 20000, 3, { resolution: "blocked host" });
    await step("closeIncident", d.key, 21000, 3);
    await step("reopenIncident", d.key, 22000, 3, { reason: "malware is back" });
    await step("resolveIncident", d.key, 25000, 3, { resolution: "reimaged host" });
    await step("closeIncident", d.key, 26000, 3);

    // E: cancelled, so excluded from every time KPI.
    const e = await reportIncident(server, {
      title: "kpi dup",
      detectedAt: at(0, 4),
      occurredAt: at(0, 4),
    });
    await step("cancelIncident", e.key, 60, 4, { reason: "duplicate" });

    // F: P2, acknowledged after 60 s, escalated, still open (so past its 8 h resolve target).
    const f = await open(5, "HIGH", "MEDIUM");
    await step("acknowledgeIncident", f.key, 60, 5);
    const securityTeam = await teamId(server, "Security Operations");
    await step("escalateIncident", f.key, 90, 5, { teamId: securityTeam, reason: "intrusion" });
  });
  afterAll(() => server.close());

  it("computes time to acknowledge", async () => {
    const { kpis } = await server.data(KPIS, { filter: WINDOW });
    // Sorted: 60, 120, 400, 600, 30000. Mean 31180 / 5. Median is the middle value.
    // p90: position 0.9 * 4 = 3.6, so 600 + 0.6 * (30000 - 600) = 18240.
    expect(kpis.timeToAcknowledge.count).toBe(5);
    expect(kpis.timeToAcknowledge.mean).toBe(6236);
    expect(kpis.timeToAcknowledge.median).toBe(400);
    expect(kpis.timeToAcknowledge.p90).toBeCloseTo(18240, 6);
    // The shared package's percentile, which the dashboard uses, agrees with the SQL.
    expect(percentile([60, 120, 400, 600, 30000], 0.9)).toBeCloseTo(kpis.timeToAcknowledge.p90, 9);
  });

  it("computes time to resolve", async () => {
    const { kpis } = await server.data(KPIS, { filter: WINDOW });
    // Sorted: 1800, 7200, 25000 (D's last resolution), 36000. Mean 70000 / 4 = 17500.
    // Median: position 1.5, 7200 + 0.5 * 17800 = 16100. p90: position 2.7,
    // 25000 + 0.7 * 11000 = 32700.
    expect(kpis.timeToResolve.count).toBe(4);
    expect(kpis.timeToResolve.mean).toBe(17500);
    expect(kpis.timeToResolve.median).toBe(16100);
    expect(kpis.timeToResolve.p90).toBeCloseTo(32700, 6);
  });

  it("computes time to close", async () => {
    const { kpis } = await server.data(KPIS, { filter: WINDOW });
    // Sorted: 3600, 10800, 26000. Mean 40400 / 3. p90: position 1.8,
    // 10800 + 0.8 * 15200 = 22960.
    expect(kpis.timeToClose.count).toBe(3);
    expect(kpis.timeToClose.mean).toBeCloseTo(13466.667, 3);
    expect(kpis.timeToClose.median).toBe(10800);
    expect(kpis.timeToClose.p90).toBeCloseTo(22960, 6);
  });

  it("counts by status and priority", async () => {
    const { kpis } = await server.data(KPIS, { filter: WINDOW });
    expect(kpis.total).toBe(6);
    expect(kpis.cancelled).toBe(1);
    expect(kpis.byStatus).toEqual([
      { status: "CLOSED", count: 3 },
      { status: "CANCELLED", count: 1 },
      { status: "RESOLVED", count: 1 },
      { status: "RESPONDING", count: 1 },
    ]);
    expect(kpis.byPriority).toEqual([
      { priority: "P1", count: 2 },
      { priority: "P2", count: 1 },
      { priority: "P3", count: 1 },
      { priority: "P5", count: 1 },
    ]);
  });

  it("counts SLA breaches", async () => {
    const { kpis } = await server.data(KPIS, { filter: WINDOW });
    // Acknowledge: C (30000 > 28800) and D (400 > 300). Resolve: D (25000 > 14400) and F, open
    // for years against an 8 h target.
    expect(kpis.acknowledgeSla).toEqual({ measured: 5, breached: 2, rate: 0.4 });
    expect(kpis.resolveSla).toEqual({ measured: 5, breached: 2, rate: 0.4 });
  });

  it("reports escalation and reopen rates", async () => {
    const { kpis } = await server.data(KPIS, { filter: WINDOW });
    expect(kpis.escalated).toBe(1);
    expect(kpis.escalationRate).toBe(0.2);
    expect(kpis.reopened).toBe(1);
    expect(kpis.reopenCount).toBe(1);
    expect(kpis.reopenRate).toBe(0.2);
  });

  it("honours the category filter", async () => {
    const { kpis } = await server.data(KPIS, { filter: { ...WINDOW, categoryId: [security] } });
    expect(kpis.total).toBe(1);
    expect(kpis.timeToAcknowledge).toEqual({ count: 1, mean: 400, median: 400, p90: 400 });
    expect(kpis.timeToResolve.median).toBe(25000);
  });

  it("honours the team filter", async () => {
    const { kpis } = await server.data(KPIS, { filter: { ...WINDOW, teamId: [networkTeam] } });
    // A, B and C stay with Network Operations; F was escalated away, E never had a team.
    expect(kpis.total).toBe(3);
    expect(kpis.timeToClose.count).toBe(2);
  });

  it("returns nulls for an empty selection", async () => {
    const { kpis } = await server.data(KPIS, {
      filter: { detectedFrom: "1999-01-01T00:00:00Z", detectedTo: "1999-01-02T00:00:00Z" },
    });
    expect(kpis.total).toBe(0);
    expect(kpis.timeToAcknowledge).toEqual({ count: 0, mean: null, median: null, p90: null });
    expect(kpis.acknowledgeSla.rate).toBeNull();
  });

  it("rejects an inverted window", async () => {
    const response = await server.gql(KPIS, {
      filter: { detectedFrom: "2024-05-02T00:00:00Z", detectedTo: "2024-05-01T00:00:00Z" },
    });
    expect(errorCode(response)).toBe("VALIDATION_FAILED");
  });
});
