/** Lifecycle statuses of an incident, in the order the process normally visits them. */
export const INCIDENT_STATUSES = [
  "IDENTIFIED",
  "CATEGORIZED",
  "PRIORITIZED",
  "RESPONDING",
  "RESOLVED",
  "CLOSED",
  "CANCELLED",
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Statuses in which an incident still needs work. */
export const OPEN_STATUSES: readonly IncidentStatus[] = [
  "IDENTIFIED",
  "CATEGORIZED",
  "PRIORITIZED",
  "RESPONDING",
];

/** Impact and urgency levels. */
export const LEVELS = ["HIGH", "MEDIUM", "LOW"] as const;
export type Level = (typeof LEVELS)[number];

/** Priorities, P1 being the most urgent. */
export const PRIORITIES = ["P1", "P2", "P3", "P4", "P5"] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Kinds of timeline event. Every state change and every comment is one event. */
export const EVENT_TYPES = [
  "CREATED",
  "CATEGORIZED",
  "PRIORITIZED",
  "ACKNOWLEDGED",
  "ASSIGNED",
  "ESCALATED",
  "ON_HOLD",
  "RESOLVED",
  "CLOSED",
  "REOPENED",
  "CANCELLED",
  "COMMENTED",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Stable error codes carried in GraphQL `extensions.code`. */
export const ERROR_CODES = [
  "NOT_FOUND",
  "INVALID_TRANSITION",
  "VALIDATION_FAILED",
  "CONFLICT",
  "LIMIT_EXCEEDED",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A rejected input or action: the code, the input field at fault and a readable rule. */
export interface RuleViolation {
  code: ErrorCode;
  field: string | null;
  message: string;
}

/** Outcome of a rule check: a value, or the violation that rejected the input. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: RuleViolation };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, field: string | null, message: string): Result<T> {
  return { ok: false, error: { code, field, message } };
}
