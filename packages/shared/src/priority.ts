import { fail, type Level, ok, type Priority, type Result } from "./domain";

const LEVEL_RANK: Record<Level, number> = { HIGH: 0, MEDIUM: 1, LOW: 2 };

/**
 * Returns the priority of the ITIL impact-urgency matrix: P1 for HIGH/HIGH, one step lower
 * for each level that either dimension drops, down to P5 for LOW/LOW.
 */
export function priorityFor(impact: Level, urgency: Level): Priority {
  const rank = LEVEL_RANK[impact] + LEVEL_RANK[urgency];
  return `P${rank + 1}` as Priority;
}

export interface PriorityInput {
  impact: Level;
  urgency: Level;
  priorityOverride?: Priority | null;
  overrideReason?: string | null;
}

export interface PriorityDecision {
  impact: Level;
  urgency: Level;
  priority: Priority;
  /** True when the priority differs from the matrix value. */
  overridden: boolean;
  overrideReason: string | null;
}

/**
 * Decides an incident's priority. An override that differs from the matrix needs a
 * non-blank reason, which is kept; an override equal to the matrix value is no override.
 */
export function decidePriority(input: PriorityInput): Result<PriorityDecision> {
  const matrix = priorityFor(input.impact, input.urgency);
  const override = input.priorityOverride ?? null;
  const reason = input.overrideReason?.trim() || null;

  if (override === null || override === matrix) {
    if (override === null && reason !== null) {
      return fail(
        "VALIDATION_FAILED",
        "overrideReason",
        "overrideReason is only accepted together with priorityOverride",
      );
    }
    return ok({
      impact: input.impact,
      urgency: input.urgency,
      priority: matrix,
      overridden: false,
      overrideReason: null,
    });
  }
  if (reason === null) {
    return fail(
      "VALIDATION_FAILED",
      "overrideReason",
      `overrideReason is required to override the matrix priority ${matrix} with ${override}`,
    );
  }
  return ok({
    impact: input.impact,
    urgency: input.urgency,
    priority: override,
    overridden: true,
    overrideReason: reason,
  });
}
