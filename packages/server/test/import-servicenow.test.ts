import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EVENT_TYPES, type EventType } from "@incident/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STANDARD_CATEGORIES } from "../src/bootstrap";
import { type DataDirLock, lockDataDir } from "../src/db/lock";
import type { SqlDatabase } from "../src/db/sql";
import type { PrismaClient } from "../src/generated/prisma/client";
import type { ImportReport } from "../src/imports/report";
import { importServiceNowLog } from "../src/imports/run";
import type { ServiceContext } from "../src/incidents/service";
import { BACKENDS, createPostgresDatabase, startTestServer, type TestServer } from "./support";

const SERVER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPOSITORY_ROOT = resolve(SERVER_DIR, "../..");
/** The sample lives next to the repository, not in it. */
const SAMPLE = resolve(REPOSITORY_ROOT, "../shared/data/servicenow-incident-event-log-sample.csv");
const HAS_SAMPLE = existsSync(SAMPLE);
// CI always has the sample beside the clone, so there a missing file is a failure, not a skip.
if (!HAS_SAMPLE && process.env.CI) throw new Error(`ServiceNow sample not found at ${SAMPLE}`);
if (!HAS_SAMPLE) console.warn(`ServiceNow sample not found at ${SAMPLE}, so its tests are skipped`);

const IMPORT_TIMEOUT = 240_000;

/** Columns of a ServiceNow incident event log export, in its order. */
const COLUMNS = [
  "number",
  "incident_state",
  "active",
  "reassignment_count",
  "reopen_count",
  "sys_mod_count",
  "made_sla",
  "caller_id",
  "opened_by",
  "opened_at",
  "sys_created_by",
  "sys_created_at",
  "sys_updated_by",
  "sys_updated_at",
  "contact_type",
  "location",
  "category",
  "subcategory",
  "u_symptom",
  "cmdb_ci",
  "impact",
  "urgency",
  "priority",
  "assignment_group",
  "assigned_to",
  "knowledge",
  "u_priority_confirmation",
  "notify",
  "problem_id",
  "rfc",
  "vendor",
  "caused_by",
  "closed_code",
  "resolved_by",
  "resolved_at",
  "closed_at",
];

/** Builds one CSV line of a small fixture. Columns not named get ServiceNow's `?`. */
function fixtureRow(values: Record<string, string>): string {
  const defaults: Record<string, string> = {
    opened_at: "01-03-2016 08:00",
    category: "Category 1",
    assignment_group: "Group 1",
    impact: "2 - Medium",
    urgency: "2 - Medium",
    priority: "3 - Moderate",
    closed_code: "code 1",
    resolved_at: "01-03-2016 12:00",
    closed_at: "02-03-2016 12:00",
  };
  return COLUMNS.map((column) => values[column] ?? defaults[column] ?? "?").join(",");
}

/** Two incidents of four rows each; line numbers 2 to 9. */
function fixtureLines(prefix: string): string[] {
  const lines: string[] = [];
  for (const n of [1, 2]) {
    const number = `${prefix}${n}`;
    for (const [state, time] of [
      ["New", "01-03-2016 08:05"],
      ["Active", "01-03-2016 09:00"],
      ["Resolved", "01-03-2016 12:00"],
      ["Closed", "02-03-2016 12:00"],
    ] as const) {
      lines.push(fixtureRow({ number, incident_state: state, sys_updated_at: time }));
    }
  }
  return lines;
}

function csv(lines: string[], columns = COLUMNS): string {
  return `${columns.join(",")}\r\n${lines.join("\r\n")}\r\n`;
}

// --- An independent reading of the sample, to check the importer's counts against. ---

/** The columns of a sample row that the checks read. ServiceNow's `?` stays as it is. */
interface SampleRow {
  line: number;
  number: string;
  incident_state: string;
  opened_at: string;
  sys_updated_at: string;
  category: string;
  assignment_group: string;
  impact: string;
  urgency: string;
  priority: string;
  closed_code: string;
  resolved_at: string;
}

const SAMPLE_COLUMNS = [
  "number",
  "incident_state",
  "opened_at",
  "sys_updated_at",
  "category",
  "assignment_group",
  "impact",
  "urgency",
  "priority",
  "closed_code",
  "resolved_at",
] as const;

function readSample(): SampleRow[] {
  const [header = "", ...lines] = readFileSync(SAMPLE, "utf8").trimEnd().split(/\r?\n/);
  const columns = header.split(",");
  // The sample has no quoted fields, so splitting on commas reads it exactly.
  return lines.map((text, index) => {
    const cells = text.split(",");
    const row = { line: index + 2 } as SampleRow;
    for (const column of SAMPLE_COLUMNS) row[column] = cells[columns.indexOf(column)] ?? "";
    return row;
  });
}

function groupRows(rows: SampleRow[]): Map<string, SampleRow[]> {
  const incidents = new Map<string, SampleRow[]>();
  for (const row of rows) {
    const list = incidents.get(row.number) ?? [];
    list.push(row);
    incidents.set(row.number, list);
  }
  return incidents;
}

const known = (value: string) => value !== "?";

interface Fields {
  category: string;
  group: string | null;
  impact: string;
  urgency: string;
  priority: string;
}
const NO_FIELDS: Fields = { category: "", group: null, impact: "", urgency: "", priority: "" };

/**
 * Counts the events the mapping rules give: one walk over the rows with the incident's status,
 * category, team and priority fields, written apart from the importer's own code.
 */
function expectedEvents(rows: SampleRow[]): {
  events: Record<EventType, number>;
  unchanged: number;
} {
  const events = Object.fromEntries(EVENT_TYPES.map((type) => [type, 0])) as Record<
    EventType,
    number
  >;
  const firstGroup = new Map<string, string | null>();
  for (const row of rows) {
    const category = row.category;
    if (!known(category)) continue;
    const group = known(row.assignment_group) ? row.assignment_group : null;
    if (!firstGroup.has(category) || (firstGroup.get(category) === null && group !== null)) {
      firstGroup.set(category, group);
    }
  }
  const routeOf = (category: string) => firstGroup.get(category) ?? null;
  let unchanged = 0;

  for (const incidentRows of groupRows(rows).values()) {
    const [first] = incidentRows as [SampleRow];
    const category = known(first.category) ? first.category : "Uncategorized";
    events.CREATED++;
    events.CATEGORIZED++;
    events.PRIORITIZED++;
    let team = routeOf(category);
    if (known(first.assignment_group) && first.assignment_group !== team) {
      events.ASSIGNED++;
      team = first.assignment_group;
    }
    const fieldsOf = (row: SampleRow, previousFields: Fields): Fields => ({
      category: known(row.category) ? row.category : previousFields.category,
      group: known(row.assignment_group) ? row.assignment_group : previousFields.group,
      impact: row.impact,
      urgency: row.urgency,
      priority: row.priority,
    });
    let reported = fieldsOf(first, { ...NO_FIELDS, category, group: team });
    let applied = { ...reported };
    let status: "open" | "working" | "resolved" | "closed" = "open";
    let previous = "New";

    incidentRows.forEach((row, index) => {
      const before = Object.values(events).reduce((sum, n) => sum + n, 0);
      const state = row.incident_state;
      let reopened = false;
      if (index > 0) {
        const next = fieldsOf(row, reported);
        const finished = status === "resolved" || status === "closed";
        const leaves = state !== "Resolved" && state !== "Closed";
        if (finished && (leaves || (status === "closed" && state === "Resolved"))) {
          events.REOPENED++;
          status = "working";
          reopened = true;
        }
        if (status === "resolved" || status === "closed") {
          const keys = Object.keys(next) as (keyof Fields)[];
          if (keys.some((key) => next[key] !== reported[key])) {
            events.COMMENTED++;
          }
        } else {
          if (next.category !== applied.category) {
            events.CATEGORIZED++;
            team ??= routeOf(next.category);
          }
          if (
            ["impact", "urgency", "priority"].some(
              (key) => next[key as keyof Fields] !== applied[key as keyof Fields],
            )
          ) {
            events.PRIORITIZED++;
          }
          if (next.group !== null && next.group !== team) {
            if (status === "working" && team !== null) events.ESCALATED++;
            else events.ASSIGNED++;
            team = next.group;
          }
          applied = { ...next };
        }
        reported = next;
      }

      const awaiting = state.startsWith("Awaiting");
      if (state === "Active") {
        if (status === "open") {
          events.ACKNOWLEDGED++;
          status = "working";
        } else if (previous.startsWith("Awaiting") && !reopened) {
          events.COMMENTED++;
        }
      } else if (awaiting) {
        if (status === "open") {
          events.ACKNOWLEDGED++;
          status = "working";
          events.ON_HOLD++;
        } else if (state !== previous || reopened) {
          events.ON_HOLD++;
        }
      } else if (state === "Resolved" && (status === "open" || status === "working")) {
        if (status === "open") events.ACKNOWLEDGED++;
        events.RESOLVED++;
        status = "resolved";
      } else if (state === "Closed" && status !== "closed") {
        if (status === "open") events.ACKNOWLEDGED++;
        if (status !== "resolved") events.RESOLVED++;
        events.CLOSED++;
        status = "closed";
      }
      previous = state;
      const after = Object.values(events).reduce((sum, n) => sum + n, 0);
      if (index > 0 && after === before) unchanged++;
    });
  }
  return { events, unchanged };
}

/** Returns the numbers of the incidents for which the predicate holds, in file order. */
function incidentsWhere(rows: SampleRow[], predicate: (rows: SampleRow[]) => boolean): string[] {
  return [...groupRows(rows)].filter(([, list]) => predicate(list)).map(([number]) => number);
}

function minutes(value: string): number {
  const [date = "", time = ""] = value.split(" ");
  const [day, month, year] = date.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  return Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute) / 60_000;
}

// --- Helpers over the database. ---

function contextOf(server: TestServer, sql?: SqlDatabase): ServiceContext {
  const { services } = server;
  return {
    prisma: services.prisma,
    sql: sql ?? services.sql,
    config: services.config,
    log: services.log,
    now: services.now,
  };
}

async function counts(prisma: PrismaClient) {
  return {
    incidents: await prisma.incident.count(),
    events: await prisma.incidentEvent.count(),
    teams: await prisma.team.count(),
    categories: await prisma.category.count(),
  };
}

type TimelineEntry = [type: string, occurredAt: string, team: string | null, note: string | null];

/** Returns an incident's events as type, time, owning team after the event, and note. */
async function timeline(prisma: PrismaClient, externalRef: string): Promise<TimelineEntry[]> {
  const incident = await prisma.incident.findUniqueOrThrow({
    where: { externalRef },
    include: { events: { orderBy: { id: "asc" } } },
  });
  const teams = new Map((await prisma.team.findMany()).map((team) => [team.id, team.name]));
  return incident.events.map((event) => [
    event.type,
    event.occurredAt.toISOString(),
    event.teamId === null ? null : (teams.get(event.teamId) ?? null),
    event.note,
  ]);
}

function adjusted(report: ImportReport, reason: string): string[] {
  return report.adjustments.find((group) => group.reason === reason)?.incidents ?? [];
}

function runCli(args: string[], env: Record<string, string>) {
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "scripts/import-servicenow.ts", ...args],
    {
      cwd: SERVER_DIR,
      encoding: "utf8",
      env: { ...process.env, LOG_LEVEL: "warn", ...env },
      timeout: 120_000,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.each(BACKENDS)("ServiceNow import on %s", (backend) => {
  let server: TestServer;
  let prisma: PrismaClient;
  let first: ImportReport;
  let second: ImportReport;
  let afterFirst: Awaited<ReturnType<typeof counts>>;
  let folder: string;
  const sampleRows = HAS_SAMPLE ? readSample() : [];

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "servicenow-import-"));
    server = await startTestServer({ backend });
    prisma = server.services.prisma;
    if (!HAS_SAMPLE) return;

    const text = readFileSync(SAMPLE, "utf8");
    const started = performance.now();
    first = await importServiceNowLog(contextOf(server), { name: SAMPLE, text });
    // Logged, not asserted: the duration depends on the machine and its load.
    const seconds = (performance.now() - started) / 1000;
    console.info(`${backend}: sample import took ${seconds.toFixed(1)} s`);
    afterFirst = await counts(prisma);
    second = await importServiceNowLog(contextOf(server), { name: SAMPLE, text });
  }, IMPORT_TIMEOUT);

  afterAll(async () => {
    await server?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  describe.skipIf(!HAS_SAMPLE)("full sample", () => {
    it("creates every incident", async () => {
      expect(first.outcome).toBe("completed");
      expect(first.errors).toEqual([]);
      expect(first.incidents.created).toBe(890);
      expect(await prisma.incident.count({ where: { externalRef: { startsWith: "INC" } } })).toBe(
        890,
      );
    });

    it("records the expected events by type", async () => {
      const expected = expectedEvents(sampleRows);
      const stored = await prisma.incidentEvent.groupBy({ by: ["type"], _count: true });
      const byType = Object.fromEntries(EVENT_TYPES.map((type) => [type, 0]));
      for (const group of stored) byType[group.type] = group._count;

      expect(byType).toEqual(expected.events);
      expect(first.events).toEqual(expected.events);
      expect(first.eventsTotal).toBe(afterFirst.events);
      expect(first.unchangedRows).toBe(expected.unchanged);
    });

    it("creates the teams and categories", async () => {
      const groups = new Set(sampleRows.map((row) => row.assignment_group).filter(known));
      const categories = new Set(sampleRows.map((row) => row.category).filter(known));
      categories.add("Uncategorized");
      const standardTeams = new Set(STANDARD_CATEGORIES.map((entry) => entry.team));

      expect(new Set(first.teamsCreated)).toEqual(groups);
      expect(new Set(first.categoriesCreated)).toEqual(categories);
      expect(afterFirst.teams).toBe(standardTeams.size + groups.size);
      expect(afterFirst.categories).toBe(STANDARD_CATEGORIES.length + categories.size);
    });

    it("routes categories to the first group", async () => {
      const category = await prisma.category.findUniqueOrThrow({
        where: { name: "Category 45" },
        include: { defaultTeam: true },
      });
      // Line 55, the first row with Category 45, names Group 15.
      expect(category.defaultTeam?.name).toBe("Group 15");
    });

    it("lists adjustments by reason", () => {
      const resolvedAtMissing = incidentsWhere(sampleRows, (rows) => rows[0]?.resolved_at === "?");
      const closedCodeMissing = incidentsWhere(sampleRows, (rows) =>
        rows.some((row) => row.closed_code === "?"),
      );
      const beforeOpened = incidentsWhere(sampleRows, (rows) =>
        rows.some((row) => minutes(row.sys_updated_at) < minutes(row.opened_at)),
      );
      const firstWork = (rows: SampleRow[]) =>
        rows.find((row) => row.incident_state !== "New")?.incident_state ?? "New";
      const resolvedFirst = incidentsWhere(sampleRows, (rows) =>
        ["Resolved", "Closed"].includes(firstWork(rows)),
      );
      const heldFirst = incidentsWhere(sampleRows, (rows) =>
        firstWork(rows).startsWith("Awaiting"),
      );

      expect(adjusted(first, "resolved-at-missing")).toEqual(resolvedAtMissing);
      expect(adjusted(first, "closed-code-missing")).toEqual(closedCodeMissing);
      expect(adjusted(first, "update-before-opened")).toEqual(beforeOpened);
      expect(adjusted(first, "resolved-without-active")).toEqual(resolvedFirst);
      expect(adjusted(first, "hold-without-active")).toEqual(heldFirst);
      expect(adjusted(first, "update-out-of-order")).toEqual(["INC0000137"]);
    });

    it("keeps a plain incident's timeline", async () => {
      // Lines 6 to 14: New, Active with another group, five unchanged rows, Awaiting User
      // Info, Resolved, Closed. Category 40 first appears on line 6, with Group 70.
      expect(await timeline(prisma, "INC0000047")).toEqual([
        ["CREATED", "2016-02-29T04:57:00.000Z", null, null],
        ["CATEGORIZED", "2016-02-29T04:57:00.000Z", "Group 70", null],
        ["PRIORITIZED", "2016-02-29T04:57:00.000Z", "Group 70", null],
        ["ASSIGNED", "2016-02-29T05:30:00.000Z", "Group 24", null],
        ["ACKNOWLEDGED", "2016-02-29T05:30:00.000Z", "Group 24", null],
        [
          "ON_HOLD",
          "2016-03-01T09:14:00.000Z",
          "Group 24",
          "On hold in ServiceNow: Awaiting User Info",
        ],
        [
          "RESOLVED",
          "2016-03-01T09:52:00.000Z",
          "Group 24",
          'Resolved in ServiceNow with closed code "code 5"',
        ],
        ["CLOSED", "2016-03-06T10:00:00.000Z", "Group 24", null],
      ]);
      const incident = await prisma.incident.findUniqueOrThrow({
        where: { externalRef: "INC0000047" },
      });
      expect(incident.title).toBe("ServiceNow INC0000047: Category 40 / Subcategory 215");
      expect(incident.detectedAt.toISOString()).toBe("2016-02-29T04:40:00.000Z");
      expect(incident.description).toContain("Caller: Caller 2403");
    });

    it("keeps a reopened incident's timeline", async () => {
      // Lines 4653 to 4658: Active, Resolved, Active twice, Resolved at resolved_at, Closed.
      // Category 45 routes to Group 15, and the log names Group 10.
      expect(await timeline(prisma, "INC0001155")).toEqual([
        ["CREATED", "2016-03-02T11:09:00.000Z", null, null],
        ["CATEGORIZED", "2016-03-02T11:09:00.000Z", "Group 15", null],
        ["PRIORITIZED", "2016-03-02T11:09:00.000Z", "Group 15", null],
        ["ASSIGNED", "2016-03-02T11:09:00.000Z", "Group 10", null],
        ["ACKNOWLEDGED", "2016-03-02T11:09:00.000Z", "Group 10", null],
        [
          "RESOLVED",
          "2016-04-06T14:13:00.000Z",
          "Group 10",
          'Resolved in ServiceNow with closed code "code 6"',
        ],
        [
          "REOPENED",
          "2016-04-07T06:58:00.000Z",
          "Group 10",
          "Reopened in ServiceNow: Active after Resolved",
        ],
        [
          "RESOLVED",
          "2016-04-25T09:43:00.000Z",
          "Group 10",
          'Resolved in ServiceNow with closed code "code 6"',
        ],
        ["CLOSED", "2016-04-30T10:07:00.000Z", "Group 10", null],
      ]);
      const incident = await prisma.incident.findUniqueOrThrow({
        where: { externalRef: "INC0001155" },
      });
      expect(incident.reopenCount).toBe(1);
      expect(incident.resolvedAt?.toISOString()).toBe("2016-04-25T09:43:00.000Z");
    });

    it("keeps a reassigned incident's timeline", async () => {
      // Lines 438 to 444. The first update (08:53) precedes opened_at (10:18). Line 439 turns
      // Active with Category 53 and Group 66; line 440 hands it back to Group 70.
      expect(await timeline(prisma, "INC0000164")).toEqual([
        ["CREATED", "2016-02-29T10:18:00.000Z", null, null],
        ["CATEGORIZED", "2016-02-29T10:18:00.000Z", "Group 70", null],
        ["PRIORITIZED", "2016-02-29T10:18:00.000Z", "Group 70", null],
        ["CATEGORIZED", "2016-02-29T23:20:00.000Z", "Group 70", null],
        ["ASSIGNED", "2016-02-29T23:20:00.000Z", "Group 66", null],
        ["ACKNOWLEDGED", "2016-02-29T23:20:00.000Z", "Group 66", null],
        [
          "ESCALATED",
          "2016-03-01T11:56:00.000Z",
          "Group 70",
          "Reassigned in ServiceNow from Group 66 to Group 70",
        ],
        [
          "RESOLVED",
          "2016-03-03T14:34:00.000Z",
          "Group 70",
          'Resolved in ServiceNow with closed code "code 11"',
        ],
        ["CLOSED", "2016-03-08T15:00:00.000Z", "Group 70", null],
      ]);
      const incident = await prisma.incident.findUniqueOrThrow({
        where: { externalRef: "INC0000164" },
        include: { category: true },
      });
      expect(incident.escalationLevel).toBe(1);
      expect(incident.category?.name).toBe("Category 53");
      expect(incident.problemRef).toBe("Problem ID 2");
    });

    it("acknowledges at resolution without Active", async () => {
      // Lines 2 to 5: New, Resolved at 08:53 and at 11:29, Closed. resolved_at is 11:29.
      expect(await timeline(prisma, "INC0000045")).toEqual([
        ["CREATED", "2016-02-29T01:23:00.000Z", null, null],
        ["CATEGORIZED", "2016-02-29T01:23:00.000Z", "Group 56", null],
        ["PRIORITIZED", "2016-02-29T01:23:00.000Z", "Group 56", null],
        ["ACKNOWLEDGED", "2016-02-29T11:29:00.000Z", "Group 56", null],
        [
          "RESOLVED",
          "2016-02-29T11:29:00.000Z",
          "Group 56",
          'Resolved in ServiceNow with closed code "code 5"',
        ],
        ["CLOSED", "2016-03-05T12:00:00.000Z", "Group 56", null],
      ]);
    });

    it("moves an out-of-order update up", async () => {
      // Lines 359 to 362: New at 11:10, New at 09:52 (unchanged), Resolved at 11:03, which
      // is before the creation at 11:10, then Closed.
      expect(await timeline(prisma, "INC0000137")).toEqual([
        ["CREATED", "2016-02-29T11:10:00.000Z", null, null],
        ["CATEGORIZED", "2016-02-29T11:10:00.000Z", "Group 70", null],
        ["PRIORITIZED", "2016-02-29T11:10:00.000Z", "Group 70", null],
        ["ACKNOWLEDGED", "2016-02-29T11:10:00.000Z", "Group 70", null],
        [
          "RESOLVED",
          "2016-02-29T11:10:00.000Z",
          "Group 70",
          'Resolved in ServiceNow with closed code "code 6"',
        ],
        ["CLOSED", "2016-03-05T12:00:00.000Z", "Group 70", null],
      ]);
      const group = first.adjustments.find((entry) => entry.reason === "update-out-of-order");
      expect(group?.items.map((item) => item.line)).toEqual([361, 361]);
    });

    it("keeps a differing priority as override", async () => {
      // Lines 129 to 133: impact and urgency 3 - Low give P5; the log gives 4 - Low.
      const incident = await prisma.incident.findUniqueOrThrow({
        where: { externalRef: "INC0000083" },
      });
      expect(incident.priority).toBe("P4");
      expect(incident.priorityOverride).toBe(true);
      expect(incident.overrideReason).toBe("imported");
    });

    it("adds nothing on a second import", async () => {
      expect(second.outcome).toBe("completed");
      expect(second.incidents.created).toBe(0);
      expect(second.incidents.alreadyImported).toBe(890);
      expect(second.eventsTotal).toBe(0);
      expect(second.teamsCreated).toEqual([]);
      expect(second.categoriesCreated).toEqual([]);
      expect(await counts(prisma)).toEqual(afterFirst);
    });

    it("finds an incident by its number", async () => {
      const data = await server.data(`{
        incidents(filter: { search: "INC0000045" }) {
          totalCount
          edges { node { externalRef } }
        }
      }`);
      expect(data.incidents.totalCount).toBe(1);
      expect(data.incidents.edges[0].node.externalRef).toBe("INC0000045");
    });

    it("reports 890 closed in KPIs", async () => {
      const data = await server.data(
        "{ kpis { byStatus { status count } timeToClose { count } reopened } }",
      );
      const closed = data.kpis.byStatus.find(
        (entry: { status: string }) => entry.status === "CLOSED",
      );
      const reopened = incidentsWhere(sampleRows, (rows) =>
        rows.some(
          (row, i) => row.incident_state === "Active" && rows[i - 1]?.incident_state === "Resolved",
        ),
      );

      expect(closed?.count).toBe(890);
      expect(data.kpis.timeToClose.count).toBe(890);
      expect(data.kpis.reopened).toBe(reopened.length);
    });
  });

  describe("malformed files", () => {
    it("rejects a bad date with its line", async () => {
      const lines = fixtureLines("BADDATE");
      lines[2] = lines[2]?.replace("01-03-2016 12:00,", "31-02-2016 12:00,") ?? "";
      const path = join(folder, "bad-date.csv");
      writeFileSync(path, csv(lines));
      const before = await counts(prisma);

      const report = await importServiceNowLog(contextOf(server), {
        name: path,
        text: readFileSync(path, "utf8"),
      });

      expect(report.outcome).toBe("rejected");
      expect(report.errors.map((error) => error.line)).toEqual([4]);
      expect(report.errors[0]?.message).toMatch(/^line 4: sys_updated_at "31-02-2016 12:00"/);
      expect(await counts(prisma)).toEqual(before);
    });

    it("rejects a missing column", async () => {
      const columns = COLUMNS.filter((column) => column !== "incident_state");
      const lines = fixtureLines("NOSTATE").map((line) =>
        line
          .split(",")
          .filter((_, index) => COLUMNS[index] !== "incident_state")
          .join(","),
      );
      const before = await counts(prisma);

      const report = await importServiceNowLog(contextOf(server), {
        name: "no-state.csv",
        text: csv(lines, columns),
      });

      expect(report.outcome).toBe("rejected");
      expect(report.errors).toEqual([
        { line: 1, incident: null, message: "line 1: missing required column incident_state" },
      ]);
      expect(await counts(prisma)).toEqual(before);
    });

    it("rejects an unknown state", async () => {
      const lines = fixtureLines("BADSTATE");
      lines[5] = lines[5]?.replace(",Active,", ",Pending,") ?? "";
      const before = await counts(prisma);

      const report = await importServiceNowLog(contextOf(server), {
        name: "bad-state.csv",
        text: csv(lines),
      });

      expect(report.errors.map((error) => error.line)).toEqual([7]);
      expect(report.errors[0]?.message).toContain('incident_state "Pending" is not a known state');
      expect(await counts(prisma)).toEqual(before);
    });

    it("rejects a row with missing fields", async () => {
      const lines = fixtureLines("SHORT");
      lines[0] = lines[0]?.split(",").slice(0, 20).join(",") ?? "";

      const report = await importServiceNowLog(contextOf(server), {
        name: "short.csv",
        text: csv(lines),
      });

      expect(report.errors.map((error) => error.message)).toEqual([
        "line 2: expected 36 fields as in the header, got 20",
      ]);
    });
  });

  describe("stopped runs", () => {
    it("continues after a database failure", async () => {
      const text = csv([...fixtureLines("FAIL"), ...fixtureLines("FAILB")]);
      // The third incident write fails as a lost connection would.
      let writes = 0;
      const { sql } = server.services;
      const failing: SqlDatabase = {
        ...sql,
        query: (text, params, options) =>
          /INSERT INTO incidents/.test(text) && ++writes === 3
            ? Promise.reject(new Error("connection terminated unexpectedly"))
            : sql.query(text, params, options),
      };

      const stopped = await importServiceNowLog(contextOf(server, failing), {
        name: "fail.csv",
        text,
      });
      const rerun = await importServiceNowLog(contextOf(server), { name: "fail.csv", text });

      expect(stopped.outcome).toBe("stopped");
      expect(stopped.incidents.created).toBe(2);
      expect(stopped.incidents.notReached).toBe(2);
      expect(stopped.errors[0]?.message).toContain("FAILB1 (line 10): database error");
      expect(rerun.incidents.alreadyImported).toBe(2);
      expect(rerun.incidents.created).toBe(2);
      expect(await prisma.incident.count({ where: { externalRef: { startsWith: "FAIL" } } })).toBe(
        4,
      );
    });
  });

  describe("command line", () => {
    let database: { url: string; drop(): Promise<void> } | null = null;
    let env: Record<string, string>;

    beforeAll(async () => {
      if (backend === "postgres") {
        database = await createPostgresDatabase();
        env = { DATABASE_URL: database.url };
      } else {
        env = { DATA_DIR: join(folder, "data") };
      }
    });
    afterAll(() => database?.drop());

    it("imports and writes a JSON report", () => {
      const path = join(folder, "two.csv");
      writeFileSync(path, csv(fixtureLines("CLI")));
      const reportPath = join(folder, "report.json");

      const run = runCli([path, "--report", reportPath], env);
      const again = runCli([path], env);

      expect(run.status).toBe(0);
      expect(run.stdout).toContain("Incidents created: 2");
      expect(run.stdout).toContain("read as UTC");
      expect(JSON.parse(readFileSync(reportPath, "utf8")).events.CLOSED).toBe(2);
      expect(again.status).toBe(0);
      expect(again.stdout).toContain("Incidents skipped as already imported: 2");
    });

    it("prints line errors of a bad file", () => {
      const path = join(folder, "cli-bad.csv");
      const lines = fixtureLines("CLIBAD");
      lines[1] = lines[1]?.replace("01-03-2016 09:00,", "1 March,") ?? "";
      writeFileSync(path, csv(lines));

      const run = runCli([path], env);

      expect(run.status).toBe(1);
      expect(run.stdout).toContain("rejected");
      expect(run.stdout).toContain('line 3: sys_updated_at "1 March" is not a valid date');
    });

    it.skipIf(backend !== "pglite")("rejects a data folder in use", () => {
      const dataDir = join(folder, "locked");
      let lock: DataDirLock | null = null;
      try {
        lock = lockDataDir(dataDir, "test server");
        const path = join(folder, "locked.csv");
        writeFileSync(path, csv(fixtureLines("LOCK")));

        const run = runCli([path], { DATA_DIR: dataDir });

        expect(run.status).toBe(1);
        expect(run.stderr).toContain(`cannot import: data folder ${dataDir} is in use`);
        expect(run.stderr).toContain("stop the server");
        expect(run.stdout).toBe("");
      } finally {
        lock?.release();
      }
    });
  });
});
