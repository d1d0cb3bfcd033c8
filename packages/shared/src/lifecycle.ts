import {
  type EventType,
  fail,
  type IncidentStatus,
  type Level,
  OPEN_STATUSES,
  ok,
  type Priority,
  type Result,
} from "./domain";
import { decidePriority } from "./priority";

/** The part of an incident's state that the status machine reads and changes. */
export interface LifecycleState {
  status: IncidentStatus;
  categoryId: number | null;
  teamId: number | null;
  impact: Level | null;
  urgency: Level | null;
  priority: Priority | null;
  escalationLevel: number;
  reopenCount: number;
}

/** An action that a responder, a manager or a script requests, with its inputs. */
export type LifecycleAction =
  | { type: "categorize"; categoryId: number | null; defaultTeamId?: number | null }
  | {
      type: "prioritize";
      impact: Level | null;
      urgency: Level | null;
      priorityOverride?: Priority | null;
      overrideReason?: string | null;
    }
  | { type: "acknowledge" }
  | { type: "assign"; teamId: number | null }
  | { type: "escalate"; teamId: number | null; reason: string | null }
  | { type: "hold"; reason: string | null }
  | { type: "resolve"; resolution: string | null }
  | { type: "close" }
  | { type: "reopen"; reason: string | null }
  | { type: "cancel"; reason: string | null }
  | { type: "comment"; body: string | null };

export type ActionType = LifecycleAction["type"];

/** Every action type, in the order the dashboard shows them. */
export const ACTION_TYPES: readonly ActionType[] = [
  "categorize",
  "prioritize",
  "acknowledge",
  "assign",
  "escalate",
  "hold",
  "resolve",
  "close",
  "reopen",
  "cancel",
  "comment",
];

/** The state after an allowed action, and the timeline event that records it. */
export interface Transition {
  state: LifecycleState;
  eventType: EventType;
  /** Priority override reason, kept when the priority differs from the matrix. */
  overrideReason?: string | null;
  /** Free text of the action: a reason, a resolution summary or a comment body. */
  note: string | null;
}

/** Statuses from which each action is allowed. */
const ALLOWED_FROM: Record<ActionType, readonly IncidentStatus[]> = {
  categorize: OPEN_STATUSES,
  prioritize: ["CATEGORIZED", "PRIORITIZED", "RESPONDING"],
  acknowledge: ["PRIORITIZED"],
  assign: OPEN_STATUSES,
  escalate: ["RESPONDING"],
  hold: ["RESPONDING"],
  resolve: ["RESPONDING"],
  close: ["RESOLVED"],
  reopen: ["RESOLVED", "CLOSED"],
  cancel: OPEN_STATUSES,
  comment: [
    "IDENTIFIED",
    "CATEGORIZED",
    "PRIORITIZED",
    "RESPONDING",
    "RESOLVED",
    "CLOSED",
    "CANCELLED",
  ],
};

/** Returns true when the rules allow the action type from the status. */
export function isActionAllowed(status: IncidentStatus, type: ActionType): boolean {
  return ALLOWED_FROM[type].includes(status);
}

/** Returns the action types allowed from a status, for buttons and API hints. */
export function allowedActions(status: IncidentStatus): ActionType[] {
  return ACTION_TYPES.filter((type) => isActionAllowed(status, type));
}

function requireText(value: string | null | undefined, field: string, rule: string) {
  const text = value?.trim() ?? "";
  return text === ""
    ? fail<string>("VALIDATION_FAILED", field, `${field} is required ${rule}`)
    : ok(text);
}

function rejectFrom(status: IncidentStatus, type: ActionType): Result<Transition> {
  // Acknowledging twice is the typical race between two responders: a conflict, not a misuse.
  if (type === "acknowledge" && status === "RESPONDING") {
    return fail("CONFLICT", null, "the incident is already acknowledged");
  }
  const from = ALLOWED_FROM[type].join(", ");
  return fail(
    "INVALID_TRANSITION",
    "status",
    `cannot ${type} an incident in status ${status}; allowed from: ${from}`,
  );
}

/**
 * Applies an action to a state. Returns the next state and the event type to record, or the
 * rule the action breaks. Pure: the caller stores the result.
 */
export function applyAction(state: LifecycleState, action: LifecycleAction): Result<Transition> {
  if (!isActionAllowed(state.status, action.type)) {
    return rejectFrom(state.status, action.type);
  }
  switch (action.type) {
    case "categorize":
      return categorize(state, action);
    case "prioritize":
      return prioritize(state, action);
    case "acknowledge":
      return ok({
        state: { ...state, status: "RESPONDING" },
        eventType: "ACKNOWLEDGED",
        note: null,
      });
    case "assign":
      return assign(state, action.teamId);
    case "escalate":
      return escalate(state, action);
    case "hold":
      return withText(action.reason, "reason", "to put an incident on hold", (note) => ({
        state,
        eventType: "ON_HOLD",
        note,
      }));
    case "resolve":
      return withText(action.resolution, "resolution", "to resolve an incident", (note) => ({
        state: { ...state, status: "RESOLVED" },
        eventType: "RESOLVED",
        note,
      }));
    case "close":
      return ok({ state: { ...state, status: "CLOSED" }, eventType: "CLOSED", note: null });
    case "reopen":
      return withText(action.reason, "reason", "to reopen an incident", (note) => ({
        state: { ...state, status: "RESPONDING", reopenCount: state.reopenCount + 1 },
        eventType: "REOPENED",
        note,
      }));
    case "cancel":
      return withText(action.reason, "reason", "to cancel an incident", (note) => ({
        state: { ...state, status: "CANCELLED" },
        eventType: "CANCELLED",
        note,
      }));
    case "comment":
      return withText(action.body, "body", "for a comment", (note) => ({
        state,
        eventType: "COMMENTED",
        note,
      }));
  }
}

function withText(
  value: string | null,
  field: string,
  rule: string,
  build: (text: string) => Transition,
): Result<Transition> {
  const text = requireText(value, field, rule);
  return text.ok ? ok(build(text.value)) : text;
}

function categorize(
  state: LifecycleState,
  action: Extract<LifecycleAction, { type: "categorize" }>,
): Result<Transition> {
  if (action.categoryId === null) {
    return fail("VALIDATION_FAILED", "categoryId", "categoryId is required to categorize");
  }
  const status = state.status === "IDENTIFIED" ? "CATEGORIZED" : state.status;
  // A category routes the incident to its default team unless a team already owns it.
  const teamId = state.teamId ?? action.defaultTeamId ?? null;
  return ok({
    state: { ...state, status, categoryId: action.categoryId, teamId },
    eventType: "CATEGORIZED",
    note: null,
  });
}

function prioritize(
  state: LifecycleState,
  action: Extract<LifecycleAction, { type: "prioritize" }>,
): Result<Transition> {
  if (action.impact === null) {
    return fail("VALIDATION_FAILED", "impact", "impact is required to prioritize");
  }
  if (action.urgency === null) {
    return fail("VALIDATION_FAILED", "urgency", "urgency is required to prioritize");
  }
  const decision = decidePriority({
    impact: action.impact,
    urgency: action.urgency,
    priorityOverride: action.priorityOverride ?? null,
    overrideReason: action.overrideReason ?? null,
  });
  if (!decision.ok) return decision;

  const status = state.status === "CATEGORIZED" ? "PRIORITIZED" : state.status;
  const { impact, urgency, priority, overrideReason } = decision.value;
  return ok({
    state: { ...state, status, impact, urgency, priority },
    eventType: "PRIORITIZED",
    overrideReason,
    note: overrideReason,
  });
}

function assign(state: LifecycleState, teamId: number | null): Result<Transition> {
  if (teamId === null) {
    return fail("VALIDATION_FAILED", "teamId", "teamId is required to assign");
  }
  return ok({ state: { ...state, teamId }, eventType: "ASSIGNED", note: null });
}

function escalate(
  state: LifecycleState,
  action: Extract<LifecycleAction, { type: "escalate" }>,
): Result<Transition> {
  if (action.teamId === null) {
    return fail("VALIDATION_FAILED", "teamId", "teamId is required to escalate");
  }
  // Two responders escalating to the same team at once: the second finds the work done.
  if (action.teamId === state.teamId) {
    return fail(
      "CONFLICT",
      "teamId",
      "teamId must name another team than the one that owns the incident; it is already there",
    );
  }
  return withText(action.reason, "reason", "to escalate an incident", (note) => ({
    state: { ...state, teamId: action.teamId, escalationLevel: state.escalationLevel + 1 },
    eventType: "ESCALATED",
    note,
  }));
}
