/**
 * Ways the importer departs from the log to fit the incident lifecycle, each with the text the
 * report shows. Every departure is recorded with the incident and the line it concerns.
 */
export const ADJUSTMENT_REASONS = {
  "opened-at-missing": "opened_at is missing: detected at the first update",
  "update-time-missing": "sys_updated_at is missing: the update takes the previous event's time",
  "update-before-opened": "update stamped before opened_at: moved to opened_at",
  "update-out-of-order": "update stamped before the incident's previous event: moved to its time",
  "category-missing": "category is missing: the previous category is kept, or Uncategorized",
  "group-missing": "assignment_group is missing: the team stays as it was or as routed",
  "impact-missing": "impact is missing: the previous value is kept, or MEDIUM",
  "urgency-missing": "urgency is missing: the previous value is kept, or MEDIUM",
  "priority-missing": "priority is missing: the matrix priority applies",
  "closed-code-missing": "closed_code is missing: the resolution summary says so",
  "resolved-at-missing": "resolved_at is missing: resolved at closed_at",
  "closed-at-missing": "closed_at is missing: closed at the update's time",
  "resolved-without-active": "resolved without an Active update: acknowledged when resolved",
  "hold-without-active": "on hold (Awaiting) before any Active update: acknowledged then",
  "closed-without-resolved": "closed without a Resolved update: resolved when closed",
  "new-while-responding": "state New after work began: the incident stays in response",
  "change-after-resolution": "category, team or priority changed after resolution: a comment",
  "title-truncated": "title longer than the limit: truncated",
  "description-truncated": "description longer than the limit: truncated",
} as const;

export type AdjustmentReason = keyof typeof ADJUSTMENT_REASONS;

/** One departure from the log. */
export interface Adjustment {
  incident: string;
  line: number;
  reason: AdjustmentReason;
  /** Description of the change made, with the values involved. */
  detail: string;
}
