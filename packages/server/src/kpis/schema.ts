import type { DurationSummary, IncidentStatus, Priority } from "@incident/shared";
import { builder } from "../builder";
import { IncidentStatusEnum, PriorityEnum } from "../incidents/enums";
import { IncidentFilterInput, toFilter } from "../incidents/inputs";
import { type CountBy, computeKpis, type Kpis, type SlaSummary } from "./service";

const DurationSummaryRef = builder.objectRef<DurationSummary>("DurationSummary").implement({
  description:
    "Durations in seconds. median and p90 interpolate linearly between ranks (percentile_cont).",
  fields: (t) => ({
    count: t.exposeInt("count"),
    mean: t.exposeFloat("mean", { nullable: true }),
    median: t.exposeFloat("median", { nullable: true }),
    p90: t.exposeFloat("p90", { nullable: true }),
  }),
});

const SlaSummaryRef = builder.objectRef<SlaSummary>("SlaSummary").implement({
  fields: (t) => ({
    measured: t.exposeInt("measured", {
      description: "Incidents with a priority, so with a target, that are not cancelled.",
    }),
    breached: t.exposeInt("breached", {
      description: "Incidents over the target, including open ones already past it.",
    }),
    rate: t.exposeFloat("rate", { nullable: true, description: "breached / measured." }),
  }),
});

const StatusCountRef = builder.objectRef<CountBy<IncidentStatus>>("StatusCount").implement({
  fields: (t) => ({
    status: t.expose("key", { type: IncidentStatusEnum }),
    count: t.exposeInt("count"),
  }),
});

const PriorityCountRef = builder.objectRef<CountBy<Priority>>("PriorityCount").implement({
  fields: (t) => ({
    priority: t.expose("key", { type: PriorityEnum }),
    count: t.exposeInt("count"),
  }),
});

const idOrNull = (key: number | null) => (key === null ? null : String(key));

const CategoryCountRef = builder.objectRef<CountBy<number | null>>("CategoryCount").implement({
  fields: (t) => ({
    categoryId: t.id({ nullable: true, resolve: (entry) => idOrNull(entry.key) }),
    count: t.exposeInt("count"),
  }),
});

const TeamCountRef = builder.objectRef<CountBy<number | null>>("TeamCount").implement({
  fields: (t) => ({
    teamId: t.id({ nullable: true, resolve: (entry) => idOrNull(entry.key) }),
    count: t.exposeInt("count"),
  }),
});

const KpisRef = builder.objectRef<Kpis>("Kpis").implement({
  description: "KPIs of the incidents that the filter selects, by detection time.",
  fields: (t) => ({
    total: t.exposeInt("total"),
    cancelled: t.exposeInt("cancelled", { description: "Excluded from every time KPI." }),
    timeToAcknowledge: t.expose("timeToAcknowledge", {
      type: DurationSummaryRef,
      description: "First acknowledgement minus detection.",
    }),
    timeToResolve: t.expose("timeToResolve", {
      type: DurationSummaryRef,
      description: "Latest resolution minus detection, for incidents that are resolved now.",
    }),
    timeToClose: t.expose("timeToClose", {
      type: DurationSummaryRef,
      description: "Closure minus detection.",
    }),
    byStatus: t.expose("byStatus", { type: [StatusCountRef] }),
    byPriority: t.expose("byPriority", { type: [PriorityCountRef] }),
    byCategory: t.expose("byCategory", { type: [CategoryCountRef] }),
    byTeam: t.expose("byTeam", { type: [TeamCountRef] }),
    acknowledgeSla: t.expose("acknowledgeSla", { type: SlaSummaryRef }),
    resolveSla: t.expose("resolveSla", { type: SlaSummaryRef }),
    escalated: t.exposeInt("escalated"),
    escalationRate: t.exposeFloat("escalationRate", { nullable: true }),
    reopened: t.exposeInt("reopened", { description: "Incidents reopened at least once." }),
    reopenCount: t.exposeInt("reopenCount", { description: "Reopenings in all." }),
    reopenRate: t.exposeFloat("reopenRate", { nullable: true }),
  }),
});

builder.queryField("kpis", (t) =>
  t.field({
    type: KpisRef,
    args: { filter: t.arg({ type: IncidentFilterInput, required: false }) },
    resolve: (_root, args, ctx) => computeKpis(ctx.services, toFilter(args.filter)),
  }),
);
