import type { Priority } from "./domain";

/** SLA targets in seconds for each priority. */
export interface SlaTargets {
  acknowledge: Record<Priority, number>;
  resolve: Record<Priority, number>;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;

/** Default SLA targets: acknowledge within 5 min to 8 h, resolve within 4 h to 120 h. */
export const DEFAULT_SLA_TARGETS: SlaTargets = {
  acknowledge: { P1: 5 * MINUTE, P2: 15 * MINUTE, P3: HOUR, P4: 4 * HOUR, P5: 8 * HOUR },
  resolve: { P1: 4 * HOUR, P2: 8 * HOUR, P3: 24 * HOUR, P4: 72 * HOUR, P5: 120 * HOUR },
};

/**
 * Returns true when the elapsed time exceeds the target. A target met to the second is
 * not a breach.
 */
export function isSlaBreached(elapsedSeconds: number, targetSeconds: number): boolean {
  return elapsedSeconds > targetSeconds;
}
