import type { Incident, Prisma } from "../generated/prisma/client";

/** Relations loaded with every incident that the API returns. */
export const INCIDENT_INCLUDE = {
  category: true,
  team: true,
  manager: true,
  reporter: true,
} satisfies Prisma.IncidentInclude;

/** An incident with its relations, as the GraphQL `Incident` type resolves it. */
export type IncidentView = Prisma.IncidentGetPayload<{ include: typeof INCIDENT_INCLUDE }>;

/** Columns that a lifecycle step sets, as plain values. */
export type IncidentChanges = Partial<Omit<Incident, "id" | "number" | "key" | "createdAt">>;

const DATE_FIELDS = [
  "detectedAt",
  "acknowledgedAt",
  "resolvedAt",
  "closedAt",
  "cancelledAt",
  "lastEventAt",
  "createdAt",
  "updatedAt",
] as const;

/** Serializes an incident for an event's snapshot column. */
export function toSnapshot(incident: IncidentView): Prisma.InputJsonObject {
  return JSON.parse(JSON.stringify(incident)) as Prisma.InputJsonObject;
}

/** Restores an incident from an event's snapshot column. */
export function fromSnapshot(snapshot: unknown): IncidentView {
  const view = { ...(snapshot as Record<string, unknown>) };
  for (const field of DATE_FIELDS) {
    const value = view[field];
    if (typeof value === "string") view[field] = new Date(value);
  }
  for (const relation of ["category", "team", "manager", "reporter"]) {
    const related = view[relation] as Record<string, unknown> | null | undefined;
    if (related && typeof related.createdAt === "string") {
      view[relation] = { ...related, createdAt: new Date(related.createdAt) };
    }
  }
  return view as unknown as IncidentView;
}

/** Fields whose before and after values an event records when they change. */
const TRACKED_FIELDS = [
  "externalRef",
  "detectedAt",
  "title",
  "description",
  "status",
  "impact",
  "urgency",
  "priority",
  "priorityOverride",
  "overrideReason",
  "categoryId",
  "teamId",
  "managerId",
  "acknowledgedAt",
  "resolvedAt",
  "closedAt",
  "cancelledAt",
  "escalationLevel",
  "reopenCount",
  "resolution",
  "cancelReason",
  "problemRef",
  "postMortemUrl",
] as const;

type Tracked = Pick<IncidentView, (typeof TRACKED_FIELDS)[number]>;

function jsonValue(value: unknown): Prisma.InputJsonValue | null {
  if (value instanceof Date) return value.toISOString();
  return (value ?? null) as Prisma.InputJsonValue | null;
}

/** Returns the tracked fields that differ, as before and after objects. */
export function diffIncident(
  before: Partial<Tracked>,
  after: Tracked,
): { before: Prisma.InputJsonObject; after: Prisma.InputJsonObject } {
  const was: Record<string, Prisma.InputJsonValue | null> = {};
  const now: Record<string, Prisma.InputJsonValue | null> = {};
  for (const field of TRACKED_FIELDS) {
    const a = jsonValue(before[field]);
    const b = jsonValue(after[field]);
    if (a !== b) {
      was[field] = a;
      now[field] = b;
    }
  }
  return { before: was, after: now };
}

/** Returns the fields a new incident was created with, leaving out those at their defaults. */
export function initialValues(incident: IncidentView): Prisma.InputJsonObject {
  const { after } = diffIncident({}, incident);
  const set = Object.entries(after).filter(
    ([, value]) => value !== null && value !== 0 && value !== false && value !== "",
  );
  return Object.fromEntries(set);
}
