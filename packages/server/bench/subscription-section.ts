import { formatNumber, formatRatio, type Goal, type Section, type Table } from "./report";
import { median, type summarizeLatencies } from "./stats";
import type { SubscriptionOptions } from "./subscriptions";

const P99_GOAL_MS = 250;
const BASELINE_FACTOR_GOAL = 3;

type Latencies = ReturnType<typeof summarizeLatencies>;

/** Spread of each event over the clients, summarized over the events of a round, in ms. */
export interface FanOut {
  /** Latency to the first client that received the event: median and max over events. */
  firstMedian: number;
  firstMax: number;
  /** Time from the first client's receipt to the last one's: median and max over events. */
  spreadMedian: number;
  spreadMax: number;
}

export interface RoundResult {
  variant: "graphql" | "bare";
  round: number;
  ratePerSecond: number;
  /** False for the extra low-rate round, which the goals leave out. */
  main: boolean;
  /** Latency from the commit (the event's recordedAt) or the send, per message and client. */
  latency: Latencies;
  fanOut: FanOut;
  /** graphql only: latency from the mutation's HTTP response instead. */
  fromResponse: Latencies | null;
  /** graphql only: mutation round trip, median and p99, in ms. */
  mutation: { p50: number; p99: number } | null;
  expected: number;
  lost: number;
  failedChanges: number;
  firstFailure: string | null;
  duplicates: number;
  closedSockets: number;
  errors: string[];
  serverCpuPercent: number;
  /** Server CPU time per delivered message, in microseconds, mutations included for graphql. */
  cpuMicrosPerDelivery: number;
  messageBytes: number;
}

export interface SetupFigures {
  /** Soft open-file limit of the benchmark process, which the children inherit. */
  softFileLimit: number;
  notSubscribed: number;
  rssBefore: number;
  rssAfter: number;
}

function medianOf(list: RoundResult[], pick: (r: RoundResult) => number): number {
  return median(list.map(pick));
}

function summaryTable(graphql: RoundResult[], bare: RoundResult[]): Table {
  const row = (name: string, pick: (r: RoundResult) => number) => {
    const api = medianOf(graphql, pick);
    const baseline = medianOf(bare, pick);
    return [name, api, baseline, formatRatio(api / baseline)];
  };
  return {
    headers: ["latency, median over rounds", "API", "bare broadcast", "API / bare"],
    rows: [
      row("median ms", (r) => r.latency.p50),
      row("p99 ms", (r) => r.latency.p99),
      row("max ms", (r) => r.latency.max),
      row("server CPU µs per delivery", (r) => r.cpuMicrosPerDelivery),
    ],
  };
}

function roundTable(results: RoundResult[]): Table {
  return {
    headers: [
      "variant",
      "round",
      "changes/s",
      "median ms",
      "p99 ms",
      "max ms",
      "from response median / p99 ms",
      "first client median / max ms",
      "first to last client median / max ms",
      "delivered",
      "lost",
      "server CPU %",
      "server CPU µs per delivery",
      "message bytes",
    ],
    rows: results.map((r) => [
      r.variant === "graphql" ? "API (graphql-ws)" : "bare ws broadcast",
      `${r.round + 1}${r.main ? "" : " (low rate)"}`,
      formatNumber(r.ratePerSecond, 0),
      r.latency.p50,
      r.latency.p99,
      r.latency.max,
      r.fromResponse
        ? `${formatNumber(r.fromResponse.p50)} / ${formatNumber(r.fromResponse.p99)}`
        : "",
      `${formatNumber(r.fanOut.firstMedian)} / ${formatNumber(r.fanOut.firstMax)}`,
      `${formatNumber(r.fanOut.spreadMedian)} / ${formatNumber(r.fanOut.spreadMax)}`,
      `${formatNumber(r.expected - r.lost, 0)} / ${formatNumber(r.expected, 0)}`,
      formatNumber(r.lost, 0),
      formatNumber(r.serverCpuPercent, 0),
      formatNumber(r.cpuMicrosPerDelivery, 0),
      formatNumber(r.messageBytes, 0),
    ]),
  };
}

function goalsOf(results: RoundResult[], options: SubscriptionOptions, setup: SetupFigures) {
  const main = results.filter((r) => r.main);
  const graphqlP99 = medianOf(
    main.filter((r) => r.variant === "graphql"),
    (r) => r.latency.p99,
  );
  const bareP99 = medianOf(
    main.filter((r) => r.variant === "bare"),
    (r) => r.latency.p99,
  );
  const lost = results.reduce((sum, r) => sum + r.lost, 0) + setup.notSubscribed;
  const failedChanges = results.reduce((sum, r) => sum + r.failedChanges, 0);
  const closed = Math.max(0, ...results.map((r) => r.closedSockets));
  const goals: Goal[] = [
    {
      text:
        `p99 delivery latency under ${P99_GOAL_MS} ms with ${options.clients} subscribers ` +
        `at ${options.ratePerSecond} changes/s`,
      met: graphqlP99 < P99_GOAL_MS,
      detail: `p99 ${graphqlP99.toFixed(1)} ms`,
    },
    {
      text: `p99 within ${BASELINE_FACTOR_GOAL} times the bare broadcast`,
      met: graphqlP99 <= BASELINE_FACTOR_GOAL * bareP99,
      detail:
        `${graphqlP99.toFixed(1)} ms against ${bareP99.toFixed(1)} ms, ` +
        formatRatio(graphqlP99 / bareP99),
    },
    {
      text: "no message lost",
      met: lost === 0 && failedChanges === 0 && closed === 0,
      detail: `${lost} lost, ${failedChanges} changes failed, ${closed} sockets closed`,
    },
  ];
  return goals;
}

function intro(results: RoundResult[], options: SubscriptionOptions, setup: SetupFigures) {
  const graphql = results.filter((r) => r.variant === "graphql");
  const mutation = graphql
    .map((r) =>
      r.mutation ? `${formatNumber(r.mutation.p50)} / ${formatNumber(r.mutation.p99)}` : "",
    )
    .join(", ");
  const errors = [...new Set(results.flatMap((r) => r.errors))].slice(0, 5);
  const failures = results.map((r) => r.firstFailure).filter((f) => f !== null);
  const slow = options.slowRound
    ? ` One more round sends ${options.slowRound.changes} changes at ` +
      `${options.slowRound.ratePerSecond} per second; it is left out of the medians and goals ` +
      "and shows the latency of one fan-out when events do not queue behind each other."
    : "";
  return [
    `${options.clients} graphql-transport-ws clients (raw \`ws\` sockets speaking the ` +
      "protocol, no filter) subscribe to incidentEvents on one server process. In each of " +
      `${options.rounds} rounds, ${options.changes} state changes (categorize, prioritize, ` +
      `acknowledge, resolve, close) go through the API at ${options.ratePerSecond} per ` +
      `second, on incidents created beforehand.${slow} Before each round, a comment is sent ` +
      "and every client must receive it, so that all subscriptions are live.",
    "",
    "Latency is receipt time at the client minus the event's recordedAt, which Prisma sets " +
      "in the server just before the event INSERT, two statements before COMMIT, so it " +
      "slightly overstates the latency from commit. *From response* measures from the " +
      "moment the mutation's HTTP response arrived instead.",
    "",
    "Baseline: a bare `ws` WebSocketServer in its own process broadcasts one message of the " +
      "same size as each API message, at the same rate, to another " +
      `${options.clients} raw \`ws\` clients; latency is receipt time minus the time stamped ` +
      "in the message just before the broadcast loop. The clients of each side run in a " +
      "child process of their own, separate from the servers and from the process that " +
      "sends the mutations; all processes read the same machine clock " +
      "(performance.timeOrigin + performance.now()). Server CPU % is the server process's " +
      "CPU time over the round's wall time (100 = one core); for the API it includes the " +
      "mutations.",
    "",
    `Open files: each client process and each server needs about ${options.clients + 200}; ` +
      `the soft limit (ulimit -n) was ${setup.softFileLimit}` +
      (setup.softFileLimit < options.clients + 200
        ? ", so each child was started behind `ulimit -S -n`. "
        : ", enough without raising it. ") +
      `Server memory: ${formatNumber(setup.rssBefore, 0)} MiB resident before the subscribers ` +
      `connected, ${formatNumber(setup.rssAfter, 0)} MiB after. Mutation round trip during ` +
      `each round (median / p99 ms): ${mutation}. Clients not subscribed when a round ` +
      `started: ${setup.notSubscribed}. Duplicates: ` +
      `${results.reduce((sum, r) => sum + r.duplicates, 0)}.` +
      (failures.length > 0 ? ` Failed changes: ${failures.join("; ")}.` : "") +
      (errors.length > 0 ? ` Client errors: ${errors.join("; ")}.` : ""),
  ].join("\n");
}

/** States what the CPU and fan-out figures show, from this run's figures. */
function observations(results: RoundResult[]): string {
  const main = results.filter((r) => r.main);
  const pick = (variant: RoundResult["variant"], value: (r: RoundResult) => number) =>
    formatNumber(
      medianOf(
        main.filter((r) => r.variant === variant),
        value,
      ),
    );
  const slow = results.find((r) => !r.main && r.variant === "graphql");
  const slowText = slow
    ? ` In the low-rate round the API's p99 was ${formatNumber(slow.latency.p99)} ms with the ` +
      `server ${formatNumber(slow.serverCpuPercent, 0)}% busy.`
    : "";
  return (
    "Reading the figures: the server spent " +
    `${pick("graphql", (r) => r.cpuMicrosPerDelivery)} µs of CPU per delivered message, ` +
    `the bare broadcast ${pick("bare", (r) => r.cpuMicrosPerDelivery)} µs. Each event ` +
    `reached its first API client ${pick("graphql", (r) => r.fanOut.firstMedian)} ms after ` +
    `recordedAt and its last one ${pick("graphql", (r) => r.fanOut.spreadMedian)} ms later ` +
    `(medians over events); for the bare broadcast, ${pick("bare", (r) => r.fanOut.firstMedian)} ` +
    `ms and ${pick("bare", (r) => r.fanOut.spreadMedian)} ms.${slowText}`
  );
}

export function subscriptionSection(
  results: RoundResult[],
  options: SubscriptionOptions,
  setup: SetupFigures,
): Section {
  const main = results.filter((r) => r.main);
  return {
    title: `incidentEvents to ${options.clients.toLocaleString("en-US")} WebSocket subscribers`,
    intro: `${intro(results, options, setup)}\n\n${observations(results)}`,
    tables: [
      summaryTable(
        main.filter((r) => r.variant === "graphql"),
        main.filter((r) => r.variant === "bare"),
      ),
      roundTable(results),
    ],
    goals: goalsOf(results, options, setup),
    details: "",
  };
}
