import {
  applyAction,
  checkOccurredAt,
  checkText,
  type Level,
  type LifecycleAction,
  type LifecycleState,
  parseIncidentKey,
  type Transition,
} from "@incident/shared";
import type { Config } from "../config";
import type { SqlDatabase, SqlRunner } from "../db/sql";
import { DomainError, invalid, notFound, unwrap } from "../errors";
import type { EventView } from "../events/schema";
import type { PrismaClient, User } from "../generated/prisma/client";
import type { Logger } from "../logger";
import * as bulk from "./bulk";
import { Batcher, type Outcome } from "./create-batch";
import { lazyReferences, type References } from "./references";
import { findIncident, insertEvents, lockIncident, type NewEvent, saveIncident } from "./store";
import { diffIncident, type IncidentChanges, type IncidentView, initialValues } from "./view";

/** Interactive transactions wait for a connection and for row locks under contention. */
const TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 };

/** Dependencies of the incident service: the database, the limits and a clock. */
export interface ServiceContext {
  prisma: PrismaClient;
  /** Plain SQL on the same database, for the batched create path. */
  sql: SqlDatabase;
  /** Receives the events of each batch of creates once they are committed, in id order. */
  published?: (events: EventView[]) => void;
  config: Pick<Config, "limits">;
  log: Logger;
  now(): Date;
}

export interface Actor {
  id: number;
}

export interface CreateIncidentInput {
  title: string;
  description?: string | null;
  detectedAt?: Date | null;
  occurredAt?: Date | null;
  categoryId?: number | null;
  impact?: Level | null;
  urgency?: Level | null;
  externalRef?: string | null;
}

function stateOf(incident: IncidentView): LifecycleState {
  return {
    status: incident.status,
    categoryId: incident.categoryId,
    teamId: incident.teamId,
    impact: incident.impact,
    urgency: incident.urgency,
    priority: incident.priority,
    escalationLevel: incident.escalationLevel,
    reopenCount: incident.reopenCount,
  };
}

/** Returns the column changes that a transition makes, at the time it happened. */
function changesFor(incident: IncidentView, transition: Transition, at: Date): IncidentChanges {
  const { state } = transition;
  const data: IncidentChanges = {
    status: state.status,
    categoryId: state.categoryId,
    teamId: state.teamId,
    impact: state.impact,
    urgency: state.urgency,
    priority: state.priority,
    escalationLevel: state.escalationLevel,
    reopenCount: state.reopenCount,
  };
  switch (transition.eventType) {
    case "PRIORITIZED":
      data.priorityOverride = transition.overrideReason != null;
      data.overrideReason = transition.overrideReason ?? null;
      break;
    case "ACKNOWLEDGED":
      // The first acknowledgement counts for time to acknowledge; a reopened incident keeps it.
      data.acknowledgedAt = incident.acknowledgedAt ?? at;
      break;
    case "RESOLVED":
      data.resolvedAt = at;
      data.resolution = transition.note;
      break;
    case "CLOSED":
      data.closedAt = at;
      break;
    case "REOPENED":
      data.resolvedAt = null;
      data.closedAt = null;
      data.resolution = null;
      break;
    case "CANCELLED":
      data.cancelledAt = at;
      data.cancelReason = transition.note;
      break;
    default:
      break;
  }
  return data;
}

/** Checks the free text of an action against the text limit. */
function checkActionText(ctx: ServiceContext, action: LifecycleAction) {
  const fields: [string, string | null | undefined][] = [];
  if ("reason" in action) fields.push(["reason", action.reason]);
  if (action.type === "resolve") fields.push(["resolution", action.resolution]);
  if (action.type === "comment") fields.push(["body", action.body]);
  if (action.type === "prioritize") fields.push(["overrideReason", action.overrideReason]);
  for (const [field, value] of fields) {
    if (value != null) unwrap(checkText(field, value, ctx.config.limits.text));
  }
}

interface Step {
  action: LifecycleAction;
  extra?: IncidentChanges;
}

/** Returns the related row for an id: the current one when the id is unchanged. */
async function related<T>(
  id: number | null,
  currentId: number | null,
  current: T | null,
  load: (id: number) => Promise<T>,
): Promise<T | null> {
  if (id === currentId) return current;
  if (id === null) return null;
  return load(id);
}

/** Returns the incident with the category and team that a new state names. */
async function withRelations(
  refs: References,
  current: IncidentView,
  row: IncidentView,
): Promise<IncidentView> {
  const category = await related(row.categoryId, current.categoryId, current.category, (id) =>
    refs.category(id),
  );
  const team = await related(row.teamId, current.teamId, current.team, (id) => refs.team(id));
  return { ...row, category, team };
}

/** Adds what the rules need to know about the category or team that an action names. */
async function resolveReferences(
  refs: References,
  action: LifecycleAction,
): Promise<LifecycleAction> {
  if (action.type === "categorize" && action.categoryId !== null) {
    const category = await refs.category(action.categoryId);
    return { ...action, defaultTeamId: category.defaultTeamId };
  }
  if ((action.type === "assign" || action.type === "escalate") && action.teamId !== null) {
    await refs.team(action.teamId);
  }
  return action;
}

/**
 * Applies steps to an incident in memory, returning the incident as they leave it and the
 * events they produce. Each step starts from the state the previous one left. Nothing is
 * written here, because the caller stores the final row and the events.
 */
async function applySteps(
  refs: References,
  incident: IncidentView,
  steps: Step[],
  actor: Actor,
  at: Date,
  now: Date,
): Promise<{ incident: IncidentView; events: NewEvent[] }> {
  let current = incident;
  const events: NewEvent[] = [];
  for (const step of steps) {
    const action = await resolveReferences(refs, step.action);
    const transition = unwrap(applyAction(stateOf(current), action));
    if (isNoOp(current, transition)) continue;
    const row: IncidentView = {
      ...current,
      ...changesFor(current, transition, at),
      ...step.extra,
      lastEventAt: at,
      version: current.version + 1,
      updatedAt: now,
    };
    const updated = await withRelations(refs, current, row);
    events.push({
      type: transition.eventType,
      occurredAt: at,
      actorId: actor.id,
      note: transition.note,
      ...diffIncident(current, updated),
      incident: updated,
    });
    current = updated;
  }
  return { incident: current, events };
}

/** Event types that only set values; repeating one with the same values records nothing. */
const SETTING_EVENTS = new Set(["CATEGORIZED", "PRIORITIZED", "ASSIGNED"]);

function isNoOp(incident: IncidentView, transition: Transition): boolean {
  if (!SETTING_EVENTS.has(transition.eventType)) return false;
  const before = stateOf(incident);
  const after = transition.state;
  const sameState = (Object.keys(before) as (keyof LifecycleState)[]).every(
    (field) => before[field] === after[field],
  );
  if (!sameState) return false;
  if (transition.eventType !== "PRIORITIZED") return true;
  return (transition.overrideReason ?? null) === incident.overrideReason;
}

function parseKey(key: string): number {
  const number = parseIncidentKey(key);
  if (number === null) throw invalid("key", `key must look like INC-42; got "${key}"`);
  return number;
}

/** Validates the fields of a new incident before anything is written. */
function checkNewIncident(ctx: ServiceContext, input: CreateIncidentInput) {
  const now = ctx.now();
  const { limits } = ctx.config;
  const title = unwrap(
    checkText("title", input.title, limits.title, { required: true, singleLine: true }),
  );
  const description = unwrap(checkText("description", input.description ?? "", limits.description));
  const externalRef = input.externalRef
    ? unwrap(
        checkText("externalRef", input.externalRef, limits.name, {
          required: true,
          singleLine: true,
        }),
      )
    : null;
  const occurredAt = unwrap(checkOccurredAt(input.occurredAt, now, null));
  const detectedAt = unwrap(
    checkOccurredAt(input.detectedAt ?? occurredAt, now, null, "detectedAt"),
  );
  if (detectedAt.getTime() > occurredAt.getTime()) {
    throw invalid(
      "detectedAt",
      `detectedAt must not be after occurredAt (the time the incident was reported); got ${detectedAt.toISOString()} > ${occurredAt.toISOString()}`,
    );
  }
  if ((input.impact == null) !== (input.urgency == null)) {
    const missing = input.impact == null ? "impact" : "urgency";
    throw invalid(
      missing,
      `${missing} is required when ${missing === "impact" ? "urgency" : "impact"} is given`,
    );
  }
  if (input.impact != null && input.categoryId == null) {
    throw invalid(
      "categoryId",
      "categoryId is required with impact and urgency, because an incident is categorized before it is prioritized",
    );
  }
  return { title, description, externalRef, occurredAt, detectedAt };
}

/** A lifecycle action that happened at a known time, such as one update of an imported log. */
export interface TimedAction {
  action: LifecycleAction;
  occurredAt: Date;
  /** Further columns to set with the change, such as a closure's problem reference. */
  extra?: IncidentChanges;
}

/** One createIncident call, checked and waiting for its batch. */
interface CreateRequest {
  actor: Actor;
  fields: ReturnType<typeof checkNewIncident>;
  steps: Step[];
  history: TimedAction[];
  now: Date;
}

/** Builds a new incident as its creation leaves it, before it has an id, a number and a key. */
function newIncident(request: CreateRequest, reporter: User): IncidentView {
  const { fields, now } = request;
  return {
    id: 0,
    number: 0,
    key: "",
    externalRef: fields.externalRef,
    title: fields.title,
    description: fields.description,
    status: "IDENTIFIED",
    impact: null,
    urgency: null,
    priority: null,
    priorityOverride: false,
    overrideReason: null,
    categoryId: null,
    teamId: null,
    reporterId: reporter.id,
    managerId: reporter.id,
    detectedAt: fields.detectedAt,
    acknowledgedAt: null,
    resolvedAt: null,
    closedAt: null,
    cancelledAt: null,
    escalationLevel: 0,
    reopenCount: 0,
    resolution: null,
    cancelReason: null,
    problemRef: null,
    postMortemUrl: null,
    lastEventAt: fields.occurredAt,
    version: 0,
    createdAt: now,
    updatedAt: now,
    category: null,
    team: null,
    manager: reporter,
    reporter,
  };
}

/** Works out a new incident and its timeline in memory, applying every rule. Writes nothing. */
async function planCreate(
  refs: References,
  reporter: User,
  request: CreateRequest,
): Promise<{ incident: IncidentView; events: NewEvent[] }> {
  const { actor, fields, now } = request;
  const created = newIncident(request, reporter);
  const events: NewEvent[] = [
    {
      type: "CREATED",
      occurredAt: fields.occurredAt,
      actorId: actor.id,
      note: null,
      before: {},
      after: initialValues(created),
      incident: created,
    },
  ];
  const first = await applySteps(refs, created, request.steps, actor, fields.occurredAt, now);
  events.push(...first.events);
  let current = first.incident;
  for (const entry of request.history) {
    const at = unwrap(checkOccurredAt(entry.occurredAt, now, current.lastEventAt));
    const step: Step = entry.extra ? { action: entry.action, extra: entry.extra } : entry;
    const applied = await applySteps(refs, current, [step], actor, at, now);
    events.push(...applied.events);
    current = applied.incident;
  }
  return { incident: current, events };
}

/**
 * Writes a batch of creates. It reads at most four times for the whole batch (reporters not
 * yet cached, referenced categories and teams, taken external references), applies every rule
 * in memory, and then runs one statement that numbers and inserts the incidents and their
 * events. A create that breaks a rule fails alone.
 */
async function writeCreates(
  db: SqlRunner,
  requests: CreateRequest[],
  users: Map<number, User>,
  published: ServiceContext["published"],
): Promise<Outcome<IncidentView>[]> {
  const unknown = [...new Set(requests.map(({ actor }) => actor.id))].filter(
    (id) => !users.has(id),
  );
  if (unknown.length > 0) {
    for (const [id, user] of await bulk.loadUsers(db, unknown)) users.set(id, user);
  }
  const refs = await bulk.loadReferences(
    db,
    requests.flatMap((request) => [
      ...request.steps.map((step) => step.action),
      ...request.history.map((entry) => entry.action),
    ]),
  );
  const takenRefs = await bulk.takenExternalRefs(
    db,
    requests.flatMap(({ fields }) => (fields.externalRef ? [fields.externalRef] : [])),
  );

  const outcomes: Outcome<IncidentView>[] = [];
  const planned: { index: number; incident: IncidentView; events: NewEvent[] }[] = [];
  for (const [index, request] of requests.entries()) {
    try {
      const reporter = users.get(request.actor.id);
      if (!reporter) throw new Error(`reporter: user ${request.actor.id} not found`);
      const { externalRef } = request.fields;
      if (externalRef !== null && takenRefs.has(externalRef)) throw duplicateRef(externalRef);
      planned.push({ index, ...(await planCreate(refs, reporter, request)) });
      if (externalRef !== null) takenRefs.add(externalRef);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      outcomes[index] = { ok: false, error };
    }
  }
  if (planned.length === 0) return outcomes;

  const written = await bulk.writeNewIncidents(db, planned, users);
  for (const [position, plan] of planned.entries()) {
    outcomes[plan.index] = { ok: true, value: written.incidents[position] as IncidentView };
  }
  published?.(written.events);
  return outcomes;
}

const createBatchers = new WeakMap<SqlDatabase, Batcher<CreateRequest, IncidentView>>();

/**
 * Creates share batches per database handle, so per database and process. The first context
 * to create on a handle decides where the batches' events are published.
 */
function createBatcher(ctx: ServiceContext): Batcher<CreateRequest, IncidentView> {
  let batcher = createBatchers.get(ctx.sql);
  if (!batcher) {
    const { published } = ctx;
    // A user row never changes once created (bootstrap and ensureUser upsert with an empty
    // update), so the reporters read once serve every later batch.
    const users = new Map<number, User>();
    batcher = new Batcher(ctx.sql, (db, requests) => writeCreates(db, requests, users, published));
    createBatchers.set(ctx.sql, batcher);
  }
  return batcher;
}

/**
 * Reports an incident. A category, impact and urgency given here categorize and prioritize it
 * in the same transaction, each with its own event. The history, if any, is applied after them
 * in the same transaction, so an imported incident is stored with its whole timeline or not
 * at all. Each entry's occurredAt must not be before the previous event. Concurrent creates
 * are written together in one statement (see Batcher), and each still succeeds or fails alone.
 */
export async function createIncident(
  ctx: ServiceContext,
  actor: Actor,
  input: CreateIncidentInput,
  history: TimedAction[] = [],
): Promise<IncidentView> {
  const fields = checkNewIncident(ctx, input);
  for (const entry of history) checkActionText(ctx, entry.action);
  const steps: Step[] = [];
  if (input.categoryId != null) {
    steps.push({ action: { type: "categorize", categoryId: input.categoryId } });
  }
  if (input.impact != null && input.urgency != null) {
    steps.push({ action: { type: "prioritize", impact: input.impact, urgency: input.urgency } });
  }
  try {
    return await createBatcher(ctx).run({ actor, fields, steps, history, now: ctx.now() });
  } catch (error) {
    // Another transaction took the external reference between the check and the INSERT.
    if (fields.externalRef !== null && bulk.isUniqueViolation(error, EXTERNAL_REF_KEY)) {
      throw duplicateRef(fields.externalRef);
    }
    throw error;
  }
}

/** The unique index on incidents.external_ref. */
const EXTERNAL_REF_KEY = "incidents_external_ref_key";

function duplicateRef(externalRef: string): DomainError {
  return new DomainError(
    "CONFLICT",
    "externalRef",
    `an incident with externalRef ${externalRef} already exists`,
  );
}

export interface TransitionOptions {
  occurredAt?: Date | null;
  /** The version the caller last saw; a different current version is a CONFLICT. */
  expectedVersion?: number | null;
  /** Further columns to set with the change, such as a closure's problem reference. */
  extra?: IncidentChanges;
}

/**
 * Applies one lifecycle action to the incident with the key. The row is locked for the
 * transaction, so of two concurrent changes the second reads the first one's result.
 */
export async function changeIncident(
  ctx: ServiceContext,
  actor: Actor,
  key: string,
  action: LifecycleAction,
  options: TransitionOptions = {},
): Promise<IncidentView> {
  const number = parseKey(key);
  checkActionText(ctx, action);

  return ctx.prisma.$transaction(async (tx) => {
    const incident = await lockIncident(tx, number);
    if (!incident) throw notFound("key", "incident", key);
    const expected = options.expectedVersion;
    if (expected != null && expected !== incident.version) {
      throw new DomainError(
        "CONFLICT",
        "expectedVersion",
        `incident ${incident.key} changed since version ${expected} (now ${incident.version}); reload it and retry`,
      );
    }
    // Read the clock once the row lock is held: a change that waited for another one must
    // not be stamped before it. Without an explicit time, a clock behind the previous event
    // (another server's) records the change at that event's time.
    const now = ctx.now();
    const at = options.occurredAt
      ? unwrap(checkOccurredAt(options.occurredAt, now, incident.lastEventAt))
      : new Date(Math.max(now.getTime(), incident.lastEventAt.getTime()));

    const step: Step = options.extra ? { action, extra: options.extra } : { action };
    const result = await applySteps(lazyReferences(tx), incident, [step], actor, at, now);
    if (result.events.length === 0) return incident;
    await saveIncident(tx, incident, result.incident);
    await insertEvents(tx, result.events);
    return result.incident;
  }, TX_OPTIONS);
}

export async function getIncident(ctx: ServiceContext, key: string): Promise<IncidentView | null> {
  const number = parseIncidentKey(key);
  if (number === null) return null;
  return findIncident(ctx.prisma, { number });
}
