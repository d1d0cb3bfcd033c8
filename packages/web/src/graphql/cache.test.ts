import { cacheExchange } from "@urql/exchange-graphcache";
import { Client, type ExecutionResult, fetchExchange, subscriptionExchange } from "urql";
import { beforeEach, describe, expect, it } from "vitest";
import { CreateIncidentMutation, ResolveIncidentMutation } from "../incidents/actions/mutations";
import { BoardPageQuery } from "../incidents/IncidentList";
import { IncidentPageQuery } from "../incidents/IncidentPage";
import { cacheConfig } from "./cache";
import { LiveIncidentEventsSubscription } from "./LiveEvents";

// The cache runs for real inside a real urql client. Only the server is replaced: a fetch
// function returns fixture data, and the test feeds events into the subscription.

const team = { __typename: "Team", id: "4", name: "Network Operations" };
const category = {
  __typename: "Category",
  id: "1",
  name: "Network",
};
const user = { __typename: "User", id: "1", name: "Built-in responder", email: "ops@example" };

type Status = "IDENTIFIED" | "RESPONDING" | "RESOLVED";

/** Builds an incident with every field that the dashboard's documents select. */
function incident(number: number, status: Status = "RESPONDING") {
  return {
    __typename: "Incident",
    id: String(number),
    key: `INC-${number}`,
    number,
    title: `Incident ${number}`,
    description: "",
    externalRef: null,
    status,
    impact: "HIGH",
    urgency: "HIGH",
    priority: "P1",
    priorityOverridden: false,
    overrideReason: null,
    category,
    team,
    manager: user,
    reporter: user,
    detectedAt: `2026-03-01T10:${String(number).padStart(2, "0")}:00.000Z`,
    acknowledgedAt: null,
    resolvedAt: null,
    closedAt: null,
    cancelledAt: null,
    lastEventAt: "2026-03-01T11:00:00.000Z",
    escalationLevel: 0,
    reopenCount: 0,
    resolution: null,
    cancelReason: null,
    problemRef: null,
    postMortemUrl: null,
    version: 1,
    allowedActions: status === "RESPONDING" ? ["resolve", "comment"] : ["comment"],
  };
}

function event(id: number, type: string, subject: ReturnType<typeof incident>, changes = []) {
  return {
    __typename: "IncidentEvent",
    id: String(id),
    type,
    occurredAt: "2026-03-01T11:00:00.000Z",
    recordedAt: "2026-03-01T11:00:00.000Z",
    note: null,
    actor: user,
    changes: changes.map((change: object) => ({ __typename: "FieldChange", ...change })),
    incident: subject,
  };
}

function page(nodes: ReturnType<typeof incident>[], totalCount: number, hasNextPage = false) {
  return {
    incidents: {
      __typename: "IncidentConnection",
      totalCount,
      pageInfo: {
        __typename: "PageInfo",
        hasNextPage,
        endCursor: hasNextPage ? "cursor-1" : null,
      },
      edges: nodes.map((node) => ({ __typename: "IncidentEdge", node })),
    },
  };
}

interface Request {
  operationName: string;
  variables: Record<string, unknown>;
}

let answer: (request: Request) => unknown;
let requests: Request[];
let emit: (result: ExecutionResult) => void;
let client: Client;

beforeEach(() => {
  requests = [];
  emit = () => {
    throw new Error("no subscription is active");
  };
  client = new Client({
    url: "http://incidents.test/graphql",
    preferGetMethod: false,
    fetch: async (_url, init) => {
      const request = JSON.parse(String(init?.body)) as Request;
      requests.push(request);
      return Response.json({ data: answer(request) });
    },
    exchanges: [
      cacheExchange(cacheConfig),
      subscriptionExchange({
        forwardSubscription: () => ({
          subscribe(sink) {
            emit = (result) => sink.next(result);
            return { unsubscribe: () => {} };
          },
        }),
      }),
      fetchExchange,
    ],
  });
  client.subscription(LiveIncidentEventsSubscription, { after: null }).subscribe(() => {});
});

const ALL = { filter: null, first: 25, after: null };
const RESPONDING = { filter: { status: ["RESPONDING" as const] }, first: 25, after: null };

function listed(variables: typeof ALL | typeof RESPONDING) {
  const result = client.readQuery(BoardPageQuery, variables);
  const connection = result?.data?.incidents;
  return {
    keys: connection?.edges.map((edge) => (edge.node as unknown as { key: string }).key),
    total: connection?.totalCount,
  };
}

describe("incident list cache", () => {
  it("inserts a created incident in order", async () => {
    answer = () => page([incident(5), incident(2)], 2);
    await client.query(BoardPageQuery, ALL).toPromise();

    emit({ data: { incidentEvents: event(10, "CREATED", incident(3, "IDENTIFIED")) } });

    expect(listed(ALL)).toEqual({ keys: ["INC-5", "INC-3", "INC-2"], total: 3 });
    expect(requests).toHaveLength(1);
  });

  it("drops an incident leaving a filter", async () => {
    answer = () => page([incident(5), incident(2)], 2);
    await client.query(BoardPageQuery, RESPONDING).toPromise();
    await client.query(BoardPageQuery, ALL).toPromise();

    const changes = [{ field: "status", before: "RESPONDING", after: "RESOLVED" }];
    emit({
      data: { incidentEvents: event(11, "RESOLVED", incident(5, "RESOLVED"), changes as []) },
    });

    expect(listed(RESPONDING)).toEqual({ keys: ["INC-2"], total: 1 });
    expect(listed(ALL)).toEqual({ keys: ["INC-5", "INC-2"], total: 2 });
    expect(requests).toHaveLength(2);
  });

  it("adds an incident entering a filter", async () => {
    answer = () => page([incident(2)], 1);
    await client.query(BoardPageQuery, RESPONDING).toPromise();

    const changes = [{ field: "status", before: "IDENTIFIED", after: "RESPONDING" }];
    emit({ data: { incidentEvents: event(12, "ACKNOWLEDGED", incident(4), changes as []) } });

    expect(listed(RESPONDING)).toEqual({ keys: ["INC-4", "INC-2"], total: 2 });
  });

  it("counts an entering incident past the loaded page", async () => {
    answer = () => page([incident(5)], 4, true);
    await client.query(BoardPageQuery, RESPONDING).toPromise();

    const changes = [{ field: "status", before: "IDENTIFIED", after: "RESPONDING" }];
    emit({ data: { incidentEvents: event(13, "ACKNOWLEDGED", incident(1), changes as []) } });

    expect(listed(RESPONDING)).toEqual({ keys: ["INC-5"], total: 5 });
  });

  it("moves an incident on a mutation result", async () => {
    answer = ({ operationName }) =>
      operationName === "BoardPage"
        ? page([incident(5), incident(2)], 2)
        : { resolveIncident: { ...incident(2, "RESOLVED"), timeline: [] } };
    await client.query(BoardPageQuery, RESPONDING).toPromise();

    const input = { key: "INC-2", resolution: "Rebooted" };
    await client.mutation(ResolveIncidentMutation, { input }).toPromise();

    expect(listed(RESPONDING)).toEqual({ keys: ["INC-5"], total: 1 });
  });

  it("inserts a created incident once", async () => {
    answer = ({ operationName }) =>
      operationName === "BoardPage"
        ? page([incident(2)], 1)
        : { createIncident: { ...incident(6, "IDENTIFIED"), timeline: [] } };
    await client.query(BoardPageQuery, ALL).toPromise();

    await client.mutation(CreateIncidentMutation, { input: { title: "Incident 6" } }).toPromise();
    emit({ data: { incidentEvents: event(14, "CREATED", incident(6, "IDENTIFIED")) } });

    expect(listed(ALL)).toEqual({ keys: ["INC-6", "INC-2"], total: 2 });
  });
});

describe("incident timeline cache", () => {
  it("appends a streamed event", async () => {
    const created = event(20, "CREATED", incident(2, "IDENTIFIED"));
    answer = () => ({ incident: { ...incident(2, "IDENTIFIED"), timeline: [created] } });
    await client.query(IncidentPageQuery, { key: "INC-2" }).toPromise();

    const changes = [{ field: "status", before: "IDENTIFIED", after: "RESPONDING" }];
    emit({ data: { incidentEvents: event(21, "ACKNOWLEDGED", incident(2), changes as []) } });
    emit({ data: { incidentEvents: event(21, "ACKNOWLEDGED", incident(2), changes as []) } });

    const result = client.readQuery(IncidentPageQuery, { key: "INC-2" });
    const timeline = result?.data?.incident?.timeline as unknown as { id: string }[];
    expect(timeline.map((entry) => entry.id)).toEqual(["20", "21"]);
    expect(result?.data?.incident?.status).toBe("RESPONDING");
    expect(requests).toHaveLength(1);
  });
});
