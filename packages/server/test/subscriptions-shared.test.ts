import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportIncident } from "./factories";
import { Subscriber } from "./live-support";
import { BACKENDS, startTestServer, type TestServer } from "./support";

const WITH_TIMELINE = `
  subscription Shared($after: ID) {
    incidentEvents(after: $after) { id type incident { key status timeline { id } } }
  }
`;

describe.each(BACKENDS)("shared subscription execution on %s", (backend) => {
  let server: TestServer;
  let timelineQueries = 0;

  beforeAll(async () => {
    server = await startTestServer({
      backend,
      onQuery: (sql) => {
        if (/"incident_events"."incident_id" IN/.test(sql)) {
          timelineQueries++;
        }
      },
    });
  });
  afterAll(() => server.close());

  it("executes each live event once for all", async () => {
    const wsUrl = `${server.url.replace("http", "ws")}/graphql`;
    const head = await server.data<{ lastEventId: string }>("{ lastEventId }");
    // Different `after` values only shape each source stream, so results are still shared.
    const subscribers = [
      new Subscriber(wsUrl, { after: head.lastEventId }, WITH_TIMELINE),
      new Subscriber(wsUrl, { after: head.lastEventId }, WITH_TIMELINE),
      new Subscriber(wsUrl, {}, WITH_TIMELINE),
      new Subscriber(wsUrl, {}, WITH_TIMELINE),
    ];
    try {
      await Promise.all(subscribers.map((s) => s.waitForConnection()));
      // Let every subscription reach the bus before the change.
      await new Promise((resolve) => setTimeout(resolve, 300));

      timelineQueries = 0;
      const incident = await reportIncident(server, { title: "Shared fan-out" });
      const eventId = Number(incident.timeline.at(-1)?.id);
      await Promise.all(subscribers.map((s) => s.waitForId(eventId)));

      // The mutation's own response loaded the timeline once; the four deliveries once more.
      expect(timelineQueries).toBe(2);
      const received = subscribers.map((s) => s.events.at(-1));
      for (const event of received) expect(event).toEqual(received[0]);
    } finally {
      await Promise.all(subscribers.map((s) => s.dispose()));
    }
  });
});
