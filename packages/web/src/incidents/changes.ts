import { type Named, nameOf } from "../app/lookups";
import { formatDateTime } from "../format/time";

/** Names of teams, categories and known users, to show ids in a timeline as names. */
export interface Lookups {
  teams: Named[];
  categories: Named[];
  users?: Named[];
}

const FIELD_LABELS: Record<string, string> = {
  categoryId: "category",
  teamId: "team",
  managerId: "manager",
  priorityOverride: "priority overridden",
  overrideReason: "override reason",
  escalationLevel: "escalation level",
  reopenCount: "reopen count",
  externalRef: "external reference",
  detectedAt: "detected",
  acknowledgedAt: "acknowledged",
  resolvedAt: "resolved",
  closedAt: "closed",
  cancelledAt: "cancelled",
  cancelReason: "cancel reason",
  problemRef: "problem",
  postMortemUrl: "post-mortem",
};

/** Returns the label of a changed field, such as "team" for teamId. */
export function fieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field;
}

/** Characters of a changed text value shown in the timeline before it is cut. */
const MAX_SHOWN = 200;

/** Formats one before or after value of a timeline change for a reader. */
export function formatChangeValue(field: string, value: unknown, lookups: Lookups): string {
  if (value === null || value === undefined || value === "") return "—";
  if (field === "categoryId") return nameOf(lookups.categories, value);
  if (field === "teamId") return nameOf(lookups.teams, value);
  if (field === "managerId") return nameOf(lookups.users ?? [], value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (field.endsWith("At") && typeof value === "string") return formatDateTime(value);
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}
