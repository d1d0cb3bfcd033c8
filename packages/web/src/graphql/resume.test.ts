import type { ExecutionResult } from "@urql/core";
import type { Sink, Client as WebSocketClient } from "graphql-ws";
import { describe, expect, it } from "vitest";
import { type EventCursor, forwardSubscription } from "./resume";

type Payload = Parameters<WebSocketClient["subscribe"]>[0];

/** Records what graphql-ws would send: the payload, serialized at each (re)subscribe. */
function fakeLive() {
  const sent: string[] = [];
  let payload: Payload | null = null;
  let sink: Sink | null = null;
  const live: Pick<WebSocketClient, "subscribe"> = {
    subscribe(next, nextSink) {
      payload = next;
      sink = nextSink as Sink;
      sent.push(JSON.stringify(next.variables));
      return () => {};
    },
  };
  return {
    live,
    sent,
    deliver: (data: unknown) => sink?.next({ data } as never),
    reconnect: () => sent.push(JSON.stringify(payload?.variables)),
  };
}

function start(live: Pick<WebSocketClient, "subscribe">, cursor: EventCursor, name: string) {
  const received: ExecutionResult[] = [];
  const request = {
    query: "subscription { incidentEvents { id } }",
    operationName: name,
    variables: { after: null },
    extensions: undefined,
  };
  forwardSubscription(live, cursor)(request, {} as never).subscribe({
    next: (result) => received.push(result),
    error: () => {},
    complete: () => {},
  });
  return received;
}

describe("forwardSubscription", () => {
  it("resubscribes after the last event", () => {
    const fake = fakeLive();
    const cursor: EventCursor = { lastEventId: null };
    const received = start(fake.live, cursor, "LiveIncidentEvents");

    fake.deliver({ incidentEvents: { id: "41" } });
    fake.deliver({ incidentEvents: { id: "42" } });
    fake.reconnect();

    expect(fake.sent).toEqual(['{"after":null}', '{"after":"42"}']);
    expect(cursor.lastEventId).toBe("42");
    expect(received).toHaveLength(2);
  });

  it("starts a new stream at the cursor", () => {
    const fake = fakeLive();
    start(fake.live, { lastEventId: "7" }, "LiveIncidentEvents");
    expect(fake.sent).toEqual(['{"after":"7"}']);
  });

  it("leaves other subscriptions alone", () => {
    const fake = fakeLive();
    const cursor: EventCursor = { lastEventId: "7" };
    start(fake.live, cursor, "SomethingElse");
    fake.deliver({ incidentEvents: { id: "9" } });
    fake.reconnect();
    expect(fake.sent).toEqual(['{"after":null}', '{"after":null}']);
    expect(cursor.lastEventId).toBe("7");
  });
});
