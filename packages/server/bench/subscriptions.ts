import { join } from "node:path";
import type { BroadcastReply, BroadcastRequest } from "./broadcast-server";
import { Child, fileLimits } from "./children";
import type { GraphQLClient } from "./http";
import type { Catalog } from "./list";
import { runConcurrent } from "./load";
import { processCpuSeconds, residentMiB } from "./machine";
import type { Section } from "./report";
import type { BenchServer } from "./server";
import { median, quantile, summarizeLatencies, wallClockMs } from "./stats";
import { type FanOut, type RoundResult, subscriptionSection } from "./subscription-section";
import type { ClientsReply, ClientsRequest, Collected } from "./ws-clients";

export interface SubscriptionOptions {
  clients: number;
  changes: number;
  ratePerSecond: number;
  rounds: number;
  /** Extra round at a low rate that shows one fan-out without queueing; null skips it. */
  slowRound: { changes: number; ratePerSecond: number } | null;
  logDir: string;
  progress(message: string): void;
}

const SUBSCRIPTION = `subscription {
  incidentEvents {
    id type note occurredAt recordedAt
    incident { key status priority team { name } }
  }
}`;

interface Step {
  type: string;
  query: string;
  input(key: string, categoryId: string): Record<string, unknown>;
}

/** The lifecycle each streamed incident goes through, one state change per step. */
const STEPS: Step[] = [
  {
    type: "CATEGORIZED",
    query: `mutation($input: CategorizeIncidentInput!) {
      categorizeIncident(input: $input) { key }
    }`,
    input: (key, categoryId) => ({ key, categoryId }),
  },
  {
    type: "PRIORITIZED",
    query: `mutation($input: PrioritizeIncidentInput!) {
      prioritizeIncident(input: $input) { key }
    }`,
    input: (key) => ({ key, impact: "HIGH", urgency: "MEDIUM" }),
  },
  {
    type: "ACKNOWLEDGED",
    query: `mutation($input: AcknowledgeIncidentInput!) {
      acknowledgeIncident(input: $input) { key }
    }`,
    input: (key) => ({ key }),
  },
  {
    type: "RESOLVED",
    query: `mutation($input: ResolveIncidentInput!) { resolveIncident(input: $input) { key } }`,
    input: (key) => ({ key, resolution: "Failed over to the standby and confirmed recovery" }),
  },
  {
    type: "CLOSED",
    query: `mutation($input: CloseIncidentInput!) { closeIncident(input: $input) { key } }`,
    input: (key) => ({ key }),
  },
];

const CREATE = `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { key } }`;
const COMMENT = `mutation($input: AddCommentInput!) { addComment(input: $input) { key } }`;

/** One timed stream: its number, how many changes at which rate, and the incidents it uses. */
interface RoundSpec {
  round: number;
  changes: number;
  ratePerSecond: number;
  /** False for the extra low-rate round, which the goals leave out. */
  main: boolean;
  keys: string[];
}

type Clients = Child<ClientsRequest, ClientsReply>;
type Broadcast = Child<BroadcastRequest, BroadcastReply>;

function sleepUntil(target: number): Promise<void> {
  const delay = target - performance.now();
  return delay > 0 ? new Promise((resolve) => setTimeout(resolve, delay)) : Promise.resolve();
}

/** Latencies of every delivery and the deliveries that never arrived. */
function deliveries(collected: Collected, labels: string[], reference: (label: string) => number) {
  const latencies: number[] = [];
  /** Per event: latency to the first client, and from the first client to the last. */
  const firsts: number[] = [];
  const spreads: number[] = [];
  let lost = 0;
  for (const label of labels) {
    const times = collected.receipts[label];
    const origin = reference(label);
    if (!times) throw new Error(`no receipts recorded for ${label}`);
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const time of times) {
      if (Number.isNaN(time)) {
        lost++;
        continue;
      }
      latencies.push(time - origin);
      first = Math.min(first, time);
      last = Math.max(last, time);
    }
    if (Number.isFinite(first)) {
      firsts.push(first - origin);
      spreads.push(last - first);
    }
  }
  return { latencies, lost, fanOut: fanOutOf(firsts, spreads) };
}

function fanOutOf(firsts: number[], spreads: number[]): FanOut {
  return {
    firstMedian: median(firsts),
    firstMax: Math.max(...firsts),
    spreadMedian: median(spreads),
    spreadMax: Math.max(...spreads),
  };
}

function startClients(name: string, clients: number, logDir: string): Clients {
  return Child.start<ClientsRequest, ClientsReply>(name, "bench/ws-clients.ts", {
    files: clients + 200,
    logFile: join(logDir, `${name.replaceAll(" ", "-")}.log`),
  });
}

async function connect(clients: Clients, request: Extract<ClientsRequest, { type: "connect" }>) {
  const reply = await clients.request(request, "connected", 180_000);
  if (reply.failed > 0) {
    throw new Error(
      `${reply.failed} of ${request.count} clients failed to connect: ${reply.firstError}`,
    );
  }
}

/** Creates the incidents that the rounds move through their lifecycle, and one for comments. */
async function createIncidents(client: GraphQLClient, count: number): Promise<string[]> {
  const keys: string[] = [];
  const created = await runConcurrent(count, 4, async () => {
    const data = await client.data<{ createIncident: { key: string } }>(CREATE, {
      input: { title: "Payment gateway timeouts in region eu-west", description: "Streamed." },
    });
    keys.push(data.createIncident.key);
  });
  if (created.errors > 0) throw new Error(`creating incidents failed: ${created.firstError}`);
  return keys;
}

function planRounds(options: SubscriptionOptions, keys: string[]): RoundSpec[] {
  const specs: Omit<RoundSpec, "keys">[] = Array.from({ length: options.rounds }, (_, round) => ({
    round,
    changes: options.changes,
    ratePerSecond: options.ratePerSecond,
    main: true,
  }));
  if (options.slowRound) specs.push({ round: options.rounds, ...options.slowRound, main: false });
  let next = 0;
  return specs.map((spec) => {
    const count = Math.ceil(spec.changes / STEPS.length);
    const roundKeys = keys.slice(next, next + count);
    next += count;
    return { ...spec, keys: roundKeys };
  });
}

/** Runs the benchmark with the subscribers, the broadcast baseline and their clients. */
export async function benchmarkSubscriptions(
  api: BenchServer,
  client: GraphQLClient,
  catalog: Catalog,
  options: SubscriptionOptions,
): Promise<Section> {
  const category = catalog.categories.find((c) => c.name === "Network");
  if (!category) throw new Error('category "Network" is missing; the standard categories changed');
  const perRound = (changes: number) => Math.ceil(changes / STEPS.length);
  const needed =
    perRound(options.changes) * options.rounds +
    (options.slowRound ? perRound(options.slowRound.changes) : 0);
  const keys = await createIncidents(client, needed + 1);
  const syncKey = keys.pop() as string;
  const rounds = planRounds(options, keys);

  const rssBefore = residentMiB(api.pid);
  const graphqlClients = startClients("graphql clients", options.clients, options.logDir);
  const bareClients = startClients("bare clients", options.clients, options.logDir);
  const broadcast: Broadcast = Child.start("broadcast server", "bench/broadcast-server.ts", {
    files: options.clients + 200,
    logFile: join(options.logDir, "broadcast-server.log"),
  });
  const results: RoundResult[] = [];
  let notSubscribed = 0;
  let rssAfter = Number.NaN;
  try {
    const bareUrl = (await broadcast.reply("ready", 30_000)).url;
    options.progress(`subscriptions: connecting ${options.clients} graphql-ws clients`);
    await connect(graphqlClients, {
      type: "connect",
      url: `${api.url.replace(/^http/, "ws")}/graphql`,
      count: options.clients,
      mode: "graphql",
      query: SUBSCRIPTION,
    });
    options.progress(`subscriptions: connecting ${options.clients} bare clients`);
    await connect(bareClients, {
      type: "connect",
      url: bareUrl,
      count: options.clients,
      mode: "bare",
    });
    rssAfter = residentMiB(api.pid);

    for (const spec of rounds) {
      notSubscribed += await synchronize(graphqlClients, client, syncKey, spec.round);
      options.progress(
        `subscriptions: round ${spec.round + 1}, ${spec.changes} changes at ` +
          `${spec.ratePerSecond}/s through the API, then the bare broadcast`,
      );
      const graphql = await graphqlRound(graphqlClients, client, api, category.id, spec);
      results.push(graphql.result);
      results.push(await bareRound(bareClients, broadcast, graphql.sizes, spec));
    }
  } finally {
    await Promise.all([
      graphqlClients.stop({ type: "close" }),
      bareClients.stop({ type: "close" }),
      broadcast.stop({ type: "stop" }),
    ]);
  }
  const softFileLimit = fileLimits().soft;
  return subscriptionSection(results, options, {
    softFileLimit,
    notSubscribed,
    rssBefore,
    rssAfter,
  });
}

/**
 * Adds a comment and waits until every client has it, so every subscription is live (the
 * server has set its cursor) before the timed stream starts. Returns clients that missed it.
 */
async function synchronize(clients: Clients, client: GraphQLClient, key: string, round: number) {
  const body = `sync-${round}`;
  const label = `${key}:COMMENTED:${body}`;
  await clients.request({ type: "expect", labels: [label] }, "expecting", 10_000);
  await client.data(COMMENT, { input: { key, body } });
  const collected = await clients.request(
    { type: "collect", timeoutMs: 30_000 },
    "collected",
    40_000,
  );
  return deliveries(collected, [label], () => 0).lost;
}

interface Change {
  key: string;
  step: Step;
  /** The label the clients give the event: incident key and event type. */
  label: string;
}

/** Change i moves incident i mod n one step on, so each incident's steps are n changes apart. */
function changePlan(spec: RoundSpec): Change[] {
  return Array.from({ length: spec.changes }, (_, i) => {
    const key = spec.keys[i % spec.keys.length] as string;
    const step = STEPS[Math.floor(i / spec.keys.length)] as Step;
    return { key, step, label: `${key}:${step.type}` };
  });
}

/** Sends the changes on schedule; steps of one incident wait for the previous step. */
async function streamChanges(
  client: GraphQLClient,
  categoryId: string,
  spec: RoundSpec,
  plan: Change[],
) {
  const responses = new Map<string, number>();
  const roundTrips: number[] = [];
  const failed = new Set<string>();
  let firstFailure: string | null = null;
  const chains = new Map<string, Promise<void>>();
  const interval = 1000 / spec.ratePerSecond;
  const started = performance.now();
  for (const [i, change] of plan.entries()) {
    await sleepUntil(started + i * interval);
    const previous = chains.get(change.key) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (failed.has(change.key)) throw new Error(`an earlier change of ${change.key} failed`);
      const sent = performance.now();
      await client.data(change.step.query, { input: change.step.input(change.key, categoryId) });
      responses.set(change.label, wallClockMs());
      roundTrips.push(performance.now() - sent);
    });
    chains.set(
      change.key,
      next.catch((error: unknown) => {
        failed.add(change.key);
        firstFailure ??= error instanceof Error ? error.message : String(error);
      }),
    );
  }
  await Promise.all(chains.values());
  return { responses, roundTrips, firstFailure };
}

async function graphqlRound(
  clients: Clients,
  client: GraphQLClient,
  api: BenchServer,
  categoryId: string,
  spec: RoundSpec,
): Promise<{ result: RoundResult; sizes: number[] }> {
  const plan = changePlan(spec);
  const labels = plan.map((change) => change.label);
  await clients.request({ type: "expect", labels }, "expecting", 10_000);
  const cpuBefore = processCpuSeconds(api.pid);
  const started = performance.now();
  const stream = await streamChanges(client, categoryId, spec, plan);
  const collected = await clients.request(
    { type: "collect", timeoutMs: 15_000 },
    "collected",
    30_000,
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = processCpuSeconds(api.pid) - cpuBefore;

  const committed = labels.filter((label) => stream.responses.has(label));
  const origin = (label: string) => collected.origins[label] ?? Number.NaN;
  const fromCommit = deliveries(collected, committed, origin);
  const fromResponse = deliveries(
    collected,
    committed,
    (label) => stream.responses.get(label) as number,
  );
  const fallbackSize = median(Object.values(collected.sizes));
  const sizes = labels.map((label) => collected.sizes[label] ?? fallbackSize);
  return {
    sizes,
    result: {
      variant: "graphql",
      round: spec.round,
      ratePerSecond: spec.ratePerSecond,
      main: spec.main,
      latency: summarizeLatencies(fromCommit.latencies),
      fanOut: fromCommit.fanOut,
      fromResponse: summarizeLatencies(fromResponse.latencies),
      mutation: { p50: median(stream.roundTrips), p99: quantile(stream.roundTrips, 0.99) },
      expected: committed.length * clientCount(collected),
      lost: fromCommit.lost,
      failedChanges: labels.length - committed.length,
      firstFailure: stream.firstFailure,
      duplicates: collected.duplicates,
      closedSockets: collected.closedSockets,
      errors: collected.errors,
      serverCpuPercent: (cpu / seconds) * 100,
      cpuMicrosPerDelivery: (cpu * 1e6) / fromCommit.latencies.length,
      messageBytes: median(sizes),
    },
  };
}

/** Number of clients whose receipts the collection holds. */
function clientCount(collected: Collected): number {
  const first = Object.values(collected.receipts)[0];
  return first?.length ?? 0;
}

async function bareRound(
  clients: Clients,
  broadcast: Broadcast,
  sizes: number[],
  spec: RoundSpec,
): Promise<RoundResult> {
  const labels = sizes.map((_, i) => `bare-${spec.round}-${i}`);
  await clients.request({ type: "expect", labels }, "expecting", 10_000);
  const cpuBefore = processCpuSeconds(broadcast.pid);
  const interval = 1000 / spec.ratePerSecond;
  const started = performance.now();
  for (const [i, label] of labels.entries()) {
    await sleepUntil(started + i * interval);
    broadcast.send({ type: "broadcast", seq: label, size: sizes[i] as number });
  }
  const collected = await clients.request(
    { type: "collect", timeoutMs: 15_000 },
    "collected",
    30_000,
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = processCpuSeconds(broadcast.pid) - cpuBefore;
  const result = deliveries(collected, labels, (label) => collected.origins[label] ?? Number.NaN);
  return {
    variant: "bare",
    round: spec.round,
    ratePerSecond: spec.ratePerSecond,
    main: spec.main,
    latency: summarizeLatencies(result.latencies),
    fanOut: result.fanOut,
    fromResponse: null,
    mutation: null,
    expected: labels.length * clientCount(collected),
    lost: result.lost,
    failedChanges: 0,
    firstFailure: null,
    duplicates: collected.duplicates,
    closedSockets: collected.closedSockets,
    errors: collected.errors,
    serverCpuPercent: (cpu / seconds) * 100,
    cpuMicrosPerDelivery: (cpu * 1e6) / result.latencies.length,
    messageBytes: median(sizes),
  };
}
