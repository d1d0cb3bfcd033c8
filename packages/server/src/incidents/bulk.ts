/**
 * Plain SQL that writes a batch of incident creates. Scripts and monitors report incidents in
 * bursts, so this path writes a whole batch with one statement. Through Prisma, each create
 * cost about 2 ms of server CPU in `pnpm bench`. Every other path uses Prisma, and tests
 * compare what these statements write with what Prisma reads back.
 */
import type { LifecycleAction } from "@incident/shared";
import type { SqlRunner } from "../db/sql";
import type { EventView } from "../events/schema";
import type { Category, Incident, Prisma, Team, User } from "../generated/prisma/client";
import { mapReferences, type References, referencedIds } from "./references";
import { EVENTS_CHANNEL, type NewEvent } from "./store";
import { type IncidentView, toSnapshot } from "./view";

export async function loadUsers(tx: SqlRunner, ids: number[]): Promise<Map<number, User>> {
  const rows = await tx.query<User>(
    `SELECT id, email, name, created_at AS "createdAt" FROM users WHERE id = ANY($1::int[])`,
    [ids],
  );
  return new Map(rows.map((user) => [user.id, user]));
}

/**
 * Reads every category and team that the actions name, and the categories' default teams, in
 * at most two queries, for a batch of creates that then needs no further reads.
 */
export async function loadReferences(
  tx: SqlRunner,
  actions: LifecycleAction[],
): Promise<References> {
  const { categoryIds, teamIds } = referencedIds(actions);
  const categories = new Map<number, Category>();
  const teams = new Map<number, Team>();
  if (categoryIds.length > 0) {
    const rows = await tx.query<Category & { teamName: string | null; teamCreatedAt: Date }>(
      `SELECT c.id, c.name, c.default_team_id AS "defaultTeamId", c.created_at AS "createdAt",
              t.name AS "teamName", t.created_at AS "teamCreatedAt"
         FROM categories c LEFT JOIN teams t ON t.id = c.default_team_id
        WHERE c.id = ANY($1::int[])`,
      [categoryIds],
    );
    for (const { teamName, teamCreatedAt, ...category } of rows) {
      categories.set(category.id, category);
      if (category.defaultTeamId !== null && teamName !== null) {
        teams.set(category.defaultTeamId, {
          id: category.defaultTeamId,
          name: teamName,
          createdAt: teamCreatedAt,
        });
      }
    }
  }
  const missingTeams = teamIds.filter((id) => !teams.has(id));
  if (missingTeams.length > 0) {
    const rows = await tx.query<Team>(
      `SELECT id, name, created_at AS "createdAt" FROM teams WHERE id = ANY($1::int[])`,
      [missingTeams],
    );
    for (const team of rows) teams.set(team.id, team);
  }
  return mapReferences(categories, teams);
}

/** Returns those of the external references that an incident already has. */
export async function takenExternalRefs(tx: SqlRunner, refs: string[]): Promise<Set<string>> {
  if (refs.length === 0) return new Set();
  const rows = await tx.query<{ ref: string }>(
    `SELECT external_ref AS ref FROM incidents WHERE external_ref = ANY($1::text[])`,
    [refs],
  );
  return new Set(rows.map((row) => row.ref));
}

/** Incident columns in table order after number and key, each with its view field and type. */
const INCIDENT_COLUMNS = [
  ["external_ref", "externalRef", "text"],
  ["title", "title", "text"],
  ["description", "description", "text"],
  ["status", "status", '"IncidentStatus"'],
  ["impact", "impact", '"Level"'],
  ["urgency", "urgency", '"Level"'],
  ["priority", "priority", '"Priority"'],
  ["priority_override", "priorityOverride", "boolean"],
  ["override_reason", "overrideReason", "text"],
  ["category_id", "categoryId", "integer"],
  ["team_id", "teamId", "integer"],
  ["reporter_id", "reporterId", "integer"],
  ["manager_id", "managerId", "integer"],
  ["detected_at", "detectedAt", "timestamptz(3)"],
  ["acknowledged_at", "acknowledgedAt", "timestamptz(3)"],
  ["resolved_at", "resolvedAt", "timestamptz(3)"],
  ["closed_at", "closedAt", "timestamptz(3)"],
  ["cancelled_at", "cancelledAt", "timestamptz(3)"],
  ["escalation_level", "escalationLevel", "integer"],
  ["reopen_count", "reopenCount", "integer"],
  ["resolution", "resolution", "text"],
  ["cancel_reason", "cancelReason", "text"],
  ["problem_ref", "problemRef", "text"],
  ["post_mortem_url", "postMortemUrl", "text"],
  ["last_event_at", "lastEventAt", "timestamptz(3)"],
  ["version", "version", "integer"],
  ["created_at", "createdAt", "timestamptz(3)"],
  ["updated_at", "updatedAt", "timestamptz(3)"],
] as const satisfies readonly (readonly [string, keyof IncidentView, string])[];

/** An incident column missing from INCIDENT_COLUMNS makes this assignment fail to compile. */
type Unlisted = Exclude<
  keyof Incident,
  "id" | "number" | "key" | (typeof INCIDENT_COLUMNS)[number][1]
>;
export const EVERY_INCIDENT_COLUMN: [Unlisted] extends [never] ? true : Unlisted = true;

/** Event columns after id and incident_id, each with its SQL type. */
const EVENT_COLUMNS = [
  ["type", '"EventType"'],
  ["occurred_at", "timestamptz(3)"],
  ["actor_id", "integer"],
  ["note", "text"],
  ["before", "jsonb"],
  ["after", "jsonb"],
  ["status", '"IncidentStatus"'],
  ["priority", '"Priority"'],
  ["category_id", "integer"],
  ["team_id", "integer"],
] as const;

const names = (columns: readonly (readonly string[])[], prefix = "") =>
  columns.map(([name]) => `${prefix}"${name}"`).join(", ");
const record = (columns: readonly (readonly string[])[]) =>
  columns.map((column) => `"${column[0]}" ${column[column.length - 1]}`).join(", ");

/**
 * Every write of a batch of creates in one statement, so one round trip and, in autocommit,
 * one commit. $1 contains the incidents and $2 their events as JSON arrays. Each incident has
 * its 1-based position as "offset", and each event has its own "offset" and its incident's as
 * "incident". The counters give the numbers and event ids. Their rows stay locked until the
 * commit that ends the statement, so numbers are gap-free and event ids commit in order. The event counter
 * waits for the incident INSERT, so every writer locks the two counters in the same order.
 * The snapshot of each event gets the id, number and key of its incident here. The NOTIFY,
 * delivered at commit, carries the id of the last event, so that event buses that already
 * have it need not read.
 */
const WRITE_BATCH = `
WITH incident_base AS (
  UPDATE counters SET value = value + $3 WHERE name = 'incident' RETURNING (value - $3)::int AS base
), inserted AS (
  INSERT INTO incidents ("number", "key", ${names(INCIDENT_COLUMNS)})
  SELECT b.base + r."offset", 'INC-' || (b.base + r."offset"), ${names(INCIDENT_COLUMNS, "r.")}
    FROM incident_base b,
         jsonb_to_recordset($1::jsonb) AS r("offset" int, ${record(INCIDENT_COLUMNS)})
  RETURNING id, "number", "key"
), event_base AS (
  UPDATE counters SET value = value + $4
   WHERE name = 'event' AND (SELECT count(*) FROM inserted) > 0
  RETURNING value - $4 AS base
), written AS (
  INSERT INTO incident_events (id, incident_id, snapshot, ${names(EVENT_COLUMNS)})
  SELECT e.base + r."offset", i.id,
         r.snapshot || jsonb_build_object('id', i.id, 'number', i."number", 'key', i."key"),
         ${names(EVENT_COLUMNS, "r.")}
    FROM event_base e,
         jsonb_to_recordset($2::jsonb)
           AS r("offset" int, incident int, snapshot jsonb, ${record(EVENT_COLUMNS)})
    JOIN inserted i ON i."number" = (SELECT base FROM incident_base) + r.incident
  RETURNING 1
)
SELECT i.id, i."number", i."key", e.base::text AS "eventBase",
       now()::timestamptz(3) AS "recordedAt"
  FROM inserted i
       CROSS JOIN event_base e
       CROSS JOIN (SELECT pg_notify($5, (SELECT (base + $4)::text FROM event_base))) AS announced
 ORDER BY i."number"`;

/** A new incident and its events, as the lifecycle rules worked them out in memory. */
export interface NewIncident {
  incident: IncidentView;
  events: NewEvent[];
}

/** The result of writeNewIncidents: the new incidents and their stored events. */
export interface WrittenBatch {
  incidents: IncidentView[];
  /** The events as they are stored, in id order, as the event bus would read them. */
  events: EventView[];
}

/**
 * Writes new incidents with their events in one statement and returns them as stored, in the
 * order given. Numbers follow that order, and the id, number and key passed in are ignored.
 */
export async function writeNewIncidents(
  db: SqlRunner,
  batch: NewIncident[],
  actors: Map<number, User>,
): Promise<WrittenBatch> {
  const incidents: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  for (const [index, { incident, events: timeline }] of batch.entries()) {
    const row: Record<string, unknown> = { offset: index + 1 };
    for (const [column, field] of INCIDENT_COLUMNS) row[column] = incident[field];
    incidents.push(row);
    for (const event of timeline) {
      const { id: _id, number: _number, key: _key, ...snapshot } = event.incident;
      events.push({
        offset: events.length + 1,
        incident: index + 1,
        snapshot,
        type: event.type,
        occurred_at: event.occurredAt,
        actor_id: event.actorId,
        note: event.note,
        before: event.before,
        after: event.after,
        status: event.incident.status,
        priority: event.incident.priority,
        category_id: event.incident.categoryId,
        team_id: event.incident.teamId,
      });
    }
  }
  const rows = await db.query<{
    id: number;
    number: number;
    key: string;
    eventBase: string;
    recordedAt: Date;
  }>(
    WRITE_BATCH,
    [
      JSON.stringify(incidents),
      JSON.stringify(events),
      incidents.length,
      events.length,
      EVENTS_CHANNEL,
    ],
    { prepareAs: "incident_write_batch" },
  );
  if (rows.length !== batch.length) {
    throw new Error(`the batch INSERT returned ${rows.length} incidents for ${batch.length}`);
  }
  const first = rows[0] as (typeof rows)[number];
  const eventBase = BigInt(first.eventBase);
  const written: WrittenBatch = { incidents: [], events: [] };
  for (const [index, { incident, events: timeline }] of batch.entries()) {
    const { id, number, key } = rows[index] as (typeof rows)[number];
    written.incidents.push({ ...incident, id, number, key });
    for (const event of timeline) {
      const actor = actors.get(event.actorId);
      if (!actor) throw new Error(`actor ${event.actorId} of a new event was not loaded`);
      written.events.push({
        id: eventBase + BigInt(written.events.length + 1),
        incidentId: id,
        type: event.type,
        occurredAt: event.occurredAt,
        recordedAt: first.recordedAt,
        actorId: event.actorId,
        note: event.note,
        // Input JSON as read back: plain objects of JSON values, dates already strings.
        before: event.before as Prisma.JsonObject,
        after: event.after as Prisma.JsonObject,
        snapshot: toSnapshot({ ...event.incident, id, number, key }) as Prisma.JsonObject,
        status: event.incident.status,
        priority: event.incident.priority,
        categoryId: event.incident.categoryId,
        teamId: event.incident.teamId,
        actor,
      });
    }
  }
  return written;
}

/** Returns true when the error is PostgreSQL's unique violation on the named constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, constraint: name, message } = error as Record<string, unknown>;
  if (code !== "23505") return false;
  return name === constraint || (typeof message === "string" && message.includes(constraint));
}
