import { INCIDENT_STATUSES } from "@incident/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../src/demo/seed";
import { startTestServer, type TestServer } from "./support";

describe("demo seed", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend: "pglite" });
  });
  afterAll(() => server.close());

  it("covers every status and priority", async () => {
    const result = await seedDemo(server.services, { count: 120, days: 6 });
    expect(result).toEqual({ created: 120, skipped: false });

    const statuses = await server.services.prisma.incident.groupBy({
      by: ["status"],
      _count: true,
    });
    expect(statuses.map((s) => s.status).sort()).toEqual([...INCIDENT_STATUSES].sort());
    const priorities = await server.services.prisma.incident.groupBy({
      by: ["priority"],
      _count: true,
      where: { priority: { not: null } },
    });
    expect(priorities).toHaveLength(5);
  });

  it("keeps every event in the past", async () => {
    const future = await server.services.prisma.incidentEvent.count({
      where: { occurredAt: { gt: new Date() } },
    });
    expect(future).toBe(0);
  });

  it("adds nothing when run again", async () => {
    const again = await seedDemo(server.services, { count: 120, days: 6 });
    expect(again).toEqual({ created: 0, skipped: true });
    expect(await server.services.prisma.incident.count()).toBe(120);
  });
});
