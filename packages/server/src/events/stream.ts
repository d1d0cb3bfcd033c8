import type { SqlRunner } from "../db/sql";
import { invalid } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import { type FilterFields, type IncidentFilter, matchesFilter } from "../incidents/filter";
import { type EventBus, readEvents } from "./bus";
import type { EventView } from "./schema";

function fieldsAfter(event: EventView): FilterFields {
  return {
    status: event.status,
    priority: event.priority,
    categoryId: event.categoryId,
    teamId: event.teamId,
  };
}

/** Returns the filter fields as they were before the event: the after values, less its changes. */
function fieldsBefore(event: EventView): FilterFields {
  const before = (event.before ?? {}) as Partial<FilterFields>;
  const after = fieldsAfter(event);
  return {
    status: "status" in before ? (before.status as FilterFields["status"]) : after.status,
    priority: "priority" in before ? (before.priority ?? null) : after.priority,
    categoryId: "categoryId" in before ? (before.categoryId ?? null) : after.categoryId,
    teamId: "teamId" in before ? (before.teamId ?? null) : after.teamId,
  };
}

/**
 * Returns true when a subscriber with the filter receives the event: the incident matches
 * after it, or matched before it. So the event that moves an incident out of the filter is the
 * last one of that incident the subscriber gets.
 */
export function eventMatches(event: EventView, filter: IncidentFilter): boolean {
  if (matchesFilter(fieldsAfter(event), filter)) return true;
  return event.type !== "CREATED" && matchesFilter(fieldsBefore(event), filter);
}

export interface StreamOptions {
  filter: IncidentFilter;
  /** Last event id the client has; the stream starts with the event after it. */
  after: bigint;
  signal?: AbortSignal;
}

/**
 * Returns the cursor a new subscription starts from: the client's last event id, or without
 * one the newest event this process has read. Rejects an id newer than every stored event,
 * such as one kept from a database that has since been replaced, because waiting for the ids
 * to catch up would silently skip every event until then.
 */
export async function startCursor(
  prisma: PrismaClient,
  bus: EventBus,
  after: bigint | null,
): Promise<bigint> {
  if (after === null) return bus.headId;
  if (after <= bus.headId) return after;

  const newest = await prisma.incidentEvent.findFirst({
    orderBy: { id: "desc" },
    select: { id: true },
  });
  const newestId = newest?.id ?? 0n;
  if (after > newestId) {
    throw invalid(
      "after",
      `after ${after} is newer than the newest event (${newestId}); ` +
        "subscribe without after, or with an id this server sent",
    );
  }
  return after;
}

/**
 * Yields the events after the cursor that match the filter, oldest first: first the stored
 * ones, then live ones as they commit. Replay and live use one cursor over one gap-free id
 * sequence, so the seam between them can neither skip nor repeat an event.
 */
export async function* streamEvents(
  sql: SqlRunner,
  bus: EventBus,
  options: StreamOptions,
): AsyncGenerator<EventView> {
  let cursor = options.after;
  const { signal, filter } = options;

  while (!signal?.aborted && !bus.isClosed) {
    const batch = bus.recentAfter(cursor) ?? (await readEvents(sql, cursor, bus.pageSize));
    for (const event of batch) {
      cursor = event.id;
      if (eventMatches(event, filter)) yield event;
      if (signal?.aborted) return;
    }
    if (batch.length === 0) await bus.waitForNewerThan(cursor, signal);
  }
}
