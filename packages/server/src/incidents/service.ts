import {
  applyAction,
  checkOccurredAt,
  checkText,
  formatIncidentKey,
  type Level,
  type LifecycleAction,
  type LifecycleState,
  parseIncidentKey,
  type Transition,
} from "@incident/shared";
import type { Config } from "../config";
import { DomainError, invalid, notFound, unwrap } from "../errors";
import { Prisma, type PrismaClient } from "../generated/prisma/client";
import type { Logger } from "../logger";
import { createBatcher, TX_OPTIONS } from "./create-batch";
import {
  findIncident,
  insertEvents,
  lockIncident,
  type NewEvent,
  type Tx,
  takeCounter,
  updateIncident,
} from "./store";
import { diffIncident, type IncidentView, initialValues } from "./view";

/** Dependencies of the incident service: the database, the limits and a clock. */
export interface ServiceContext {
  prisma: PrismaClient;
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
function changesFor(
  incident: IncidentView,
  transition: Transition,
  at: Date,
): Prisma.IncidentUncheckedUpdateInput {
  const { state } = transition;
  const data: Prisma.IncidentUncheckedUpdateInput = {
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

async function loadCategory(tx: Tx, categoryId: number) {
  const category = await tx.category.findUnique({ where: { id: categoryId } });
  if (!category) throw notFound("categoryId", "category", categoryId);
  return category;
}

async function requireTeam(tx: Tx, teamId: number | null) {
  if (teamId === null) return;
  const team = await tx.team.findUnique({ where: { id: teamId } });
  if (!team) throw notFound("teamId", "team", teamId);
}

/** Resolves the ids that an action names, returning the action with what the rules need. */
async function resolveReferences(tx: Tx, action: LifecycleAction): Promise<LifecycleAction> {
  if (action.type === "categorize" && action.categoryId !== null) {
    const category = await loadCategory(tx, action.categoryId);
    return { ...action, defaultTeamId: category.defaultTeamId };
  }
  if (action.type === "assign" || action.type === "escalate") {
    await requireTeam(tx, action.teamId);
  }
  return action;
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
  extra?: Prisma.IncidentUncheckedUpdateInput;
}

/**
 * Applies steps to a locked incident in memory and in the database, returning the events they
 * produce. Each step starts from the state the previous one left.
 */
async function applySteps(
  tx: Tx,
  incident: IncidentView,
  steps: Step[],
  actor: Actor,
  at: Date,
): Promise<{ incident: IncidentView; events: NewEvent[] }> {
  let current = incident;
  const events: NewEvent[] = [];
  for (const step of steps) {
    const action = await resolveReferences(tx, step.action);
    const transition = unwrap(applyAction(stateOf(current), action));
    if (isNoOp(current, transition)) continue;
    const updated = await updateIncident(tx, current, {
      ...changesFor(current, transition, at),
      ...step.extra,
      lastEventAt: at,
      version: { increment: 1 },
    });
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

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
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
  extra?: Prisma.IncidentUncheckedUpdateInput;
}

/**
 * Reports an incident. A category, impact and urgency given here categorize and prioritize it
 * in the same transaction, each with its own event. The history, if any, is applied after them
 * in the same transaction, so an imported incident is stored with its whole timeline or not
 * at all. Each entry's occurredAt must not be before the previous event.
 */
export async function createIncident(
  ctx: ServiceContext,
  actor: Actor,
  input: CreateIncidentInput,
  history: TimedAction[] = [],
): Promise<IncidentView> {
  const fields = checkNewIncident(ctx, input);
  for (const entry of history) checkActionText(ctx, entry.action);
  const now = ctx.now();
  const steps: Step[] = [];
  if (input.categoryId != null) {
    steps.push({ action: { type: "categorize", categoryId: input.categoryId } });
  }
  if (input.impact != null && input.urgency != null) {
    steps.push({ action: { type: "prioritize", impact: input.impact, urgency: input.urgency } });
  }

  try {
    // Read before the transaction: the incident counter stays locked from takeCounter to the
    // commit, and concurrent creates queue on it, so nothing avoidable runs in between.
    const reporter = await ctx.prisma.user.findUniqueOrThrow({ where: { id: actor.id } });
    return await createBatcher(ctx.prisma).run(async (tx) => {
      if (fields.externalRef !== null) await rejectDuplicateRef(tx, fields.externalRef);
      const number = Number(await takeCounter(tx, "incident"));
      const row = await tx.incident.create({
        data: {
          number,
          key: formatIncidentKey(number),
          externalRef: fields.externalRef,
          title: fields.title,
          description: fields.description,
          status: "IDENTIFIED",
          detectedAt: fields.detectedAt,
          reporterId: actor.id,
          managerId: actor.id,
          lastEventAt: fields.occurredAt,
        },
      });
      const created: IncidentView = {
        ...row,
        category: null,
        team: null,
        manager: reporter,
        reporter,
      };
      const createdEvent: NewEvent = {
        type: "CREATED",
        occurredAt: fields.occurredAt,
        actorId: actor.id,
        note: null,
        before: {},
        after: initialValues(created),
        incident: created,
      };
      const result = await applySteps(tx, created, steps, actor, fields.occurredAt);
      const events = [createdEvent, ...result.events];
      let current = result.incident;
      for (const entry of history) {
        const at = unwrap(checkOccurredAt(entry.occurredAt, now, current.lastEventAt));
        const step: Step = { action: entry.action, extra: entry.extra };
        const applied = await applySteps(tx, current, [step], actor, at);
        events.push(...applied.events);
        current = applied.incident;
      }
      await insertEvents(tx, events);
      return current;
    });
  } catch (error) {
    if (isUniqueViolation(error) && fields.externalRef !== null) {
      throw duplicateRef(fields.externalRef);
    }
    throw error;
  }
}

function duplicateRef(externalRef: string): DomainError {
  return new DomainError(
    "CONFLICT",
    "externalRef",
    `an incident with externalRef ${externalRef} already exists`,
  );
}

async function rejectDuplicateRef(tx: Tx, externalRef: string) {
  const existing = await tx.incident.findUnique({ where: { externalRef }, select: { key: true } });
  if (existing) throw duplicateRef(externalRef);
}

export interface TransitionOptions {
  occurredAt?: Date | null;
  /** The version the caller last saw; a different current version is a CONFLICT. */
  expectedVersion?: number | null;
  /** Further columns to set with the change, such as a closure's problem reference. */
  extra?: Prisma.IncidentUncheckedUpdateInput;
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
    const result = await applySteps(tx, incident, [step], actor, at);
    if (result.events.length > 0) await insertEvents(tx, result.events);
    return result.incident;
  }, TX_OPTIONS);
}

export async function getIncident(ctx: ServiceContext, key: string): Promise<IncidentView | null> {
  const number = parseIncidentKey(key);
  if (number === null) return null;
  return findIncident(ctx.prisma, { number });
}
