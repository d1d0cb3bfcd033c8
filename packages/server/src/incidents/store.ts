import type { EventType } from "@incident/shared";
import type { Incident, Prisma, PrismaClient } from "../generated/prisma/client";
import { filterWhere, type IncidentFilter } from "./filter";
import { INCIDENT_INCLUDE, type IncidentView, toSnapshot } from "./view";

export type Tx = Prisma.TransactionClient;

/** Channel on which committed events are announced. The payload is empty: a wake-up only. */
export const EVENTS_CHANNEL = "incident_events";

/**
 * Increments a counter row and returns the first of `count` new values. The row stays locked
 * until the transaction ends, so values are gap-free and later values commit later.
 */
export async function takeCounter(tx: Tx, name: "incident" | "event", count = 1): Promise<bigint> {
  const rows = await tx.$queryRaw<{ value: bigint }[]>`
    UPDATE counters SET value = value + ${count} WHERE name = ${name} RETURNING value`;
  const row = rows[0];
  if (!row) throw new Error(`counter ${name} is missing; the database was not migrated`);
  return BigInt(row.value) - BigInt(count) + 1n;
}

/** Locks an incident row until the transaction ends and returns it, or null when absent. */
export async function lockIncident(tx: Tx, number: number): Promise<IncidentView | null> {
  const rows = await tx.$queryRaw<{ id: number }[]>`
    SELECT id FROM incidents WHERE number = ${number} FOR UPDATE`;
  const row = rows[0];
  if (!row) return null;
  return tx.incident.findUniqueOrThrow({ where: { id: row.id }, include: INCIDENT_INCLUDE });
}

export async function findIncident(
  prisma: PrismaClient | Tx,
  where: Prisma.IncidentWhereUniqueInput,
): Promise<IncidentView | null> {
  return prisma.incident.findUnique({ where, include: INCIDENT_INCLUDE });
}

/** Returns the columns of an incident row without its relations. */
function columnsOf(incident: IncidentView): Omit<Incident, "id"> {
  const { id: _id, category: _c, team: _t, manager: _m, reporter: _r, ...columns } = incident;
  return columns;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

/** Writes the columns in which `after` differs from `before`, the row as it was read. */
export async function saveIncident(
  tx: Tx,
  before: IncidentView,
  after: IncidentView,
): Promise<void> {
  const was = columnsOf(before);
  const data: Prisma.IncidentUncheckedUpdateInput = {};
  for (const [column, value] of Object.entries(columnsOf(after))) {
    if (!sameValue(was[column as keyof typeof was], value)) {
      (data as Record<string, unknown>)[column] = value;
    }
  }
  await tx.incident.update({ where: { id: before.id }, data });
}

export interface NewEvent {
  type: EventType;
  occurredAt: Date;
  actorId: number;
  note: string | null;
  before: Prisma.InputJsonObject;
  after: Prisma.InputJsonObject;
  incident: IncidentView;
}

/** Inserts events with consecutive ids and announces them on commit. */
export async function insertEvents(tx: Tx, events: NewEvent[]): Promise<bigint[]> {
  // NOTIFY is delivered at commit wherever it runs in the transaction, so it goes before the
  // counter: every statement after the counter update lengthens the lock that orders commits.
  await tx.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, '')`;
  // Taken last, so the event counter row is locked only for the end of the transaction.
  const first = await takeCounter(tx, "event", events.length);
  const ids = events.map((_, index) => first + BigInt(index));
  await tx.incidentEvent.createMany({
    data: events.map((event, index) => ({
      id: ids[index] as bigint,
      incidentId: event.incident.id,
      type: event.type,
      occurredAt: event.occurredAt,
      actorId: event.actorId,
      note: event.note,
      before: event.before,
      after: event.after,
      snapshot: toSnapshot(event.incident),
      status: event.incident.status,
      priority: event.incident.priority,
      categoryId: event.incident.categoryId,
      teamId: event.incident.teamId,
    })),
  });
  return ids;
}

export interface Cursor {
  detectedAt: Date;
  number: number;
}

export function encodeCursor(incident: Cursor): string {
  return Buffer.from(`${incident.detectedAt.toISOString()}|${incident.number}`).toString(
    "base64url",
  );
}

export function decodeCursor(cursor: string): Cursor | null {
  const [at, number] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const detectedAt = new Date(at ?? "");
  const n = Number(number);
  if (Number.isNaN(detectedAt.getTime()) || !Number.isSafeInteger(n)) return null;
  return { detectedAt, number: n };
}

/**
 * Reads one page, newest detection first and ties broken by number. The cursor is the sort key
 * of the last row seen, so rows inserted or changed between pages shift nothing.
 */
export async function listIncidents(
  prisma: PrismaClient,
  filter: IncidentFilter,
  first: number,
  after: Cursor | null,
): Promise<IncidentView[]> {
  const where = filterWhere(filter);
  const keyset: Prisma.IncidentWhereInput | null = after
    ? {
        OR: [
          { detectedAt: { lt: after.detectedAt } },
          { detectedAt: after.detectedAt, number: { lt: after.number } },
        ],
      }
    : null;
  return prisma.incident.findMany({
    where: keyset ? { AND: [where, keyset] } : where,
    orderBy: [{ detectedAt: "desc" }, { number: "desc" }],
    take: first,
    include: INCIDENT_INCLUDE,
  });
}

export async function countIncidents(
  prisma: PrismaClient,
  filter: IncidentFilter,
): Promise<number> {
  return prisma.incident.count({ where: filterWhere(filter) });
}
