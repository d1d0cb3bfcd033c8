import { type IncidentStatus, isActionAllowed } from "@incident/shared";

/** The parts of a timeline event that decide whether an incident waits on hold. */
export interface HoldEvent {
  id: string;
  type: string;
  occurredAt: string;
  note?: string | null;
}

/** The hold in force: the reason of the latest hold, or null when it was put on hold without one. */
export interface HoldState {
  reason: string | null;
}

/** Event types that show someone works on the incident again, so they end a hold. */
const RESUMING_TYPES = new Set(["ACKNOWLEDGED", "REOPENED", "ESCALATED", "COMMENTED"]);

/** Orders events by when they happened, then by commit order for events at the same time. */
function isLater(a: HoldEvent, b: HoldEvent): boolean {
  const byTime = Date.parse(a.occurredAt) - Date.parse(b.occurredAt);
  return byTime !== 0 ? byTime > 0 : Number(a.id) > Number(b.id);
}

function latest(events: HoldEvent[], matches: (type: string) => boolean): HoldEvent | null {
  let found: HoldEvent | null = null;
  for (const event of events) {
    if (matches(event.type) && (found === null || isLater(event, found))) found = event;
  }
  return found;
}

/**
 * Returns the hold in force, or null. The API has no hold status, so an incident counts as
 * on hold while its latest ON_HOLD event is more recent than its latest acknowledgement,
 * reopening, escalation and comment, and its status still allows a hold (only RESPONDING).
 */
export function holdState(status: IncidentStatus, events: HoldEvent[]): HoldState | null {
  if (!isActionAllowed(status, "hold")) return null;
  const hold = latest(events, (type) => type === "ON_HOLD");
  if (!hold) return null;
  const resumed = latest(events, (type) => RESUMING_TYPES.has(type));
  if (resumed && isLater(resumed, hold)) return null;
  return { reason: hold.note?.trim() || null };
}
