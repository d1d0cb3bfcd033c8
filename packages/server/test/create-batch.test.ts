import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_USER } from "../src/accounts/service";
import type { SqlDatabase } from "../src/db/sql";
import { readEvents } from "../src/events/bus";
import type { User } from "../src/generated/prisma/client";
import {
  type CreateIncidentInput,
  createIncident,
  type ServiceContext,
} from "../src/incidents/service";
import { findIncident } from "../src/incidents/store";
import { BACKENDS, startTestServer, type TestServer } from "./support";

describe.each(BACKENDS)("stored batches of creates on %s", (backend) => {
  let server: TestServer;
  let actor: User;
  let network: number;
  let email: number;

  beforeAll(async () => {
    server = await startTestServer({ backend });
    const { prisma } = server.services;
    actor = await prisma.user.findUniqueOrThrow({ where: { email: BUILT_IN_USER.email } });
    network = (await prisma.category.findUniqueOrThrow({ where: { name: "Network" } })).id;
    email = (await prisma.category.findUniqueOrThrow({ where: { name: "Email" } })).id;
  });
  afterAll(() => server.close());

  const lastEventId = async () =>
    (await server.services.prisma.incidentEvent.findFirst({ orderBy: { id: "desc" } }))?.id ?? 0n;

  it("returns a burst as stored", async () => {
    const inputs: CreateIncidentInput[] = Array.from({ length: 24 }, (_, i) => ({
      title: `burst ${i}`,
      description: i % 2 ? `details of ${i}` : "",
      ...(i % 3 === 0 ? { categoryId: network, impact: "HIGH", urgency: "LOW" } : {}),
      ...(i % 3 === 1 ? { categoryId: email } : {}),
      ...(i % 4 === 0 ? { externalRef: `${backend}-stored-${i}` } : {}),
      ...(i % 5 === 0 ? { detectedAt: new Date(Date.now() - 3_600_000) } : {}),
    }));
    const before = await lastEventId();

    const created = await Promise.all(
      inputs.map((input) => createIncident(server.services, actor, input)),
    );

    for (const incident of created) {
      expect(await findIncident(server.services.prisma, { id: incident.id })).toEqual(incident);
    }
    const stored = await server.services.prisma.incidentEvent.findMany({
      where: { id: { gt: before } },
      orderBy: { id: "asc" },
      include: { actor: true },
    });
    // One CREATED event each, a CATEGORIZED for the eight with Email and the eight with
    // Network, and a PRIORITIZED for the eight with Network.
    expect(stored).toHaveLength(24 + 16 + 8);
    expect(await readEvents(server.services.sql, before, 100)).toEqual(stored);
    expect(server.services.bus.recentAfter(before)).toEqual(stored);
    for (const event of stored) {
      const incident = created.find((c) => c.id === event.incidentId);
      expect(incident, `incident of event ${event.id}`).toBeDefined();
      expect(event.snapshot).toMatchObject({ id: incident?.id, key: incident?.key });
    }
  });

  it("routes and prioritizes in a batch", async () => {
    const [incident] = await Promise.all([
      createIncident(server.services, actor, {
        title: "VPN drops every few minutes",
        categoryId: network,
        impact: "HIGH",
        urgency: "HIGH",
      }),
      createIncident(server.services, actor, { title: "a neighbour in the same batch" }),
    ]);

    expect(incident).toMatchObject({
      status: "PRIORITIZED",
      priority: "P1",
      version: 2,
      category: { name: "Network" },
      team: { id: incident?.category?.defaultTeamId },
    });
    const events = await server.services.prisma.incidentEvent.findMany({
      where: { incidentId: incident?.id },
      orderBy: { id: "asc" },
    });
    expect(events.map((event) => event.type)).toEqual(["CREATED", "CATEGORIZED", "PRIORITIZED"]);
    expect(events.map((event) => (event.snapshot as { version: number }).version)).toEqual([
      0, 1, 2,
    ]);
  });

  it("rejects a raced external reference", async () => {
    const ref = `${backend}-raced`;
    await createIncident(server.services, actor, { title: "the first writer", externalRef: ref });
    // A check that runs before the other writer commits finds the reference free.
    const { sql } = server.services;
    const late: SqlDatabase = {
      ...sql,
      query: (text, params, options) =>
        /FROM incidents WHERE external_ref = ANY/.test(text)
          ? Promise.resolve([])
          : sql.query(text, params, options),
    };
    const ctx: ServiceContext = { ...server.services, sql: late };
    const count = () => server.services.prisma.incident.count();
    const incidents = await count();

    const error = await createIncident(ctx, actor, { title: "second", externalRef: ref }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toMatchObject({ code: "CONFLICT", extensions: { field: "externalRef" } });
    expect(await count()).toBe(incidents);
  });

  it("writes nothing of a failed batch", async () => {
    const { sql } = server.services;
    const failing: SqlDatabase = {
      ...sql,
      query: (text, params, options) =>
        /INSERT INTO incidents/.test(text)
          ? Promise.reject(new Error("connection terminated unexpectedly"))
          : sql.query(text, params, options),
    };
    const ctx: ServiceContext = { ...server.services, sql: failing };
    const before = {
      incidents: await server.services.prisma.incident.count(),
      events: await lastEventId(),
    };

    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => createIncident(ctx, actor, { title: `lost ${i}` })),
    );

    expect(results.map((result) => result.status)).toEqual(Array(5).fill("rejected"));
    expect(await server.services.prisma.incident.count()).toBe(before.incidents);
    expect(await lastEventId()).toBe(before.events);
    const next = await createIncident(server.services, actor, { title: "after the failure" });
    const previous = await server.services.prisma.incident.findFirst({
      where: { id: { lt: next.id } },
      orderBy: { id: "desc" },
    });
    expect(next.number).toBe((previous?.number ?? 0) + 1);
  });
});
