import { characterCount, type InputLimits, type Level, type Priority } from "@incident/shared";
import { CsvError, parse } from "csv-parse/sync";
import { formatSourceTime, parseSourceTime } from "./time";

/** States of the ServiceNow incident log, as its `incident_state` column spells them. */
export const SOURCE_STATES = [
  "New",
  "Active",
  "Awaiting User Info",
  "Awaiting Problem",
  "Awaiting Vendor",
  "Awaiting Evidence",
  "Resolved",
  "Closed",
] as const;
export type SourceState = (typeof SOURCE_STATES)[number];

export function isAwaiting(state: SourceState): boolean {
  return state.startsWith("Awaiting");
}

/** Columns the mapping reads. A file without one of them is rejected. */
export const REQUIRED_COLUMNS = [
  "number",
  "incident_state",
  "opened_at",
  "sys_updated_at",
  "resolved_at",
  "closed_at",
  "category",
  "assignment_group",
  "impact",
  "urgency",
  "priority",
  "closed_code",
  "problem_id",
] as const;

/** Columns used for the title and description when the file has them. */
const DETAIL_COLUMNS = {
  subcategory: "subcategory",
  caller: "caller_id",
  openedBy: "opened_by",
  location: "location",
  contactType: "contact_type",
  symptom: "u_symptom",
  configurationItem: "cmdb_ci",
} as const;

export type SourceDetails = Record<keyof typeof DETAIL_COLUMNS, string | null>;

/** One update of one incident. Missing values (`?` or empty) are null. */
export interface SourceRow {
  /** Line of the file where the row starts, the header being line 1. */
  line: number;
  number: string;
  state: SourceState;
  updatedAt: Date | null;
  openedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  category: string | null;
  group: string | null;
  impact: Level | null;
  urgency: Level | null;
  priority: Priority | null;
  closedCode: string | null;
  problemId: string | null;
  details: SourceDetails;
}

/** The rows of one incident, in file order. */
export interface SourceIncident {
  number: string;
  rows: [SourceRow, ...SourceRow[]];
}

/** A problem that makes the file unusable, with the line it is on (null: the whole file). */
export interface SourceError {
  line: number | null;
  message: string;
}

export interface SourceFile {
  rows: number;
  incidents: SourceIncident[];
  errors: SourceError[];
}

export interface ReadOptions {
  /** Times after this are rejected, because the service records no event in the future. */
  now: Date;
  limits: Pick<InputLimits, "name">;
}

/** Trims a cell, collapses inner runs of spaces and returns null for ServiceNow's `?`. */
function clean(value: string | undefined): string | null {
  const text = (value ?? "").replace(/\s+/g, " ").trim();
  return text === "" || text === "?" ? null : text;
}

const LEVELS_BY_CODE: Record<string, Level> = { "1": "HIGH", "2": "MEDIUM", "3": "LOW" };
const PRIORITIES_BY_CODE: Record<string, Priority> = {
  "1": "P1",
  "2": "P2",
  "3": "P3",
  "4": "P4",
  "5": "P5",
};

/** Reads the leading code of values such as "2 - Medium" or "4 - Low". */
function leadingCode(value: string): string | null {
  return /^([0-9]+)\s*-/.exec(value)?.[1] ?? null;
}

/** Collects the errors of one row while its cells are read. */
class RowReader {
  readonly errors: SourceError[] = [];

  constructor(
    private readonly cells: Map<string, string | null>,
    private readonly line: number,
    private readonly options: ReadOptions,
  ) {}

  fail(message: string) {
    this.errors.push({ line: this.line, message: `line ${this.line}: ${message}` });
  }

  text(column: string): string | null {
    return this.cells.get(column) ?? null;
  }

  name(column: string): string | null {
    const value = this.text(column);
    const max = this.options.limits.name;
    if (value !== null && characterCount(value) > max) {
      this.fail(`${column} "${value}" is longer than ${max} characters`);
      return null;
    }
    return value;
  }

  time(column: string): Date | null {
    const value = this.text(column);
    if (value === null) return null;
    const time = parseSourceTime(value);
    if (time === null) {
      this.fail(`${column} "${value}" is not a valid date and time; expected dd-mm-yyyy HH:MM`);
      return null;
    }
    if (time.getTime() > this.options.now.getTime()) {
      this.fail(`${column} ${formatSourceTime(time)} is in the future`);
      return null;
    }
    return time;
  }

  level(column: "impact" | "urgency"): Level | null {
    const value = this.text(column);
    if (value === null) return null;
    const level = LEVELS_BY_CODE[leadingCode(value) ?? ""];
    if (!level) {
      this.fail(`${column} "${value}" is not valid; expected 1 - High, 2 - Medium, 3 - Low or ?`);
      return null;
    }
    return level;
  }

  priority(): Priority | null {
    const value = this.text("priority");
    if (value === null) return null;
    const priority = PRIORITIES_BY_CODE[leadingCode(value) ?? ""];
    if (!priority) {
      this.fail(`priority "${value}" is not valid; expected 1 - Critical to 5 - Planning or ?`);
      return null;
    }
    return priority;
  }

  state(): SourceState | null {
    const value = this.text("incident_state");
    const state = SOURCE_STATES.find((s) => s.toLowerCase() === value?.toLowerCase());
    if (!state) {
      const problem = value === null ? "is missing" : `"${value}" is not a known state`;
      this.fail(`incident_state ${problem}; expected one of ${SOURCE_STATES.join(", ")}`);
      return null;
    }
    return state;
  }
}

function readRow(
  header: string[],
  values: string[],
  line: number,
  options: ReadOptions,
): { row: SourceRow | null; errors: SourceError[] } {
  const cells = new Map(header.map((column, index) => [column, clean(values[index])]));
  const reader = new RowReader(cells, line, options);
  if (values.length !== header.length) {
    reader.fail(`expected ${header.length} fields as in the header, got ${values.length}`);
    return { row: null, errors: reader.errors };
  }

  const number = reader.name("number");
  if (number === null && reader.errors.length === 0) reader.fail("number is missing");
  const details = Object.fromEntries(
    Object.entries(DETAIL_COLUMNS).map(([key, column]) => [key, reader.text(column)]),
  ) as SourceDetails;
  const row = {
    line,
    number,
    state: reader.state(),
    updatedAt: reader.time("sys_updated_at"),
    openedAt: reader.time("opened_at"),
    resolvedAt: reader.time("resolved_at"),
    closedAt: reader.time("closed_at"),
    category: reader.name("category"),
    group: reader.name("assignment_group"),
    impact: reader.level("impact"),
    urgency: reader.level("urgency"),
    priority: reader.priority(),
    closedCode: reader.text("closed_code"),
    problemId: reader.text("problem_id"),
    details,
  };
  if (reader.errors.length > 0) return { row: null, errors: reader.errors };
  return { row: row as SourceRow, errors: [] };
}

function checkHeader(header: string[]): SourceError[] {
  const errors: SourceError[] = [];
  const missing = REQUIRED_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    const noun = missing.length > 1 ? "columns" : "column";
    errors.push({ line: 1, message: `line 1: missing required ${noun} ${missing.join(", ")}` });
  }
  const duplicates = header.filter((column, index) => header.indexOf(column) !== index);
  if (duplicates.length > 0) {
    errors.push({ line: 1, message: `line 1: duplicate column ${duplicates.join(", ")}` });
  }
  return errors;
}

/** Parses the CSV text into records with the line each one starts on. */
function parseRecords(
  text: string,
): { records: { values: string[]; line: number }[] } | SourceError {
  try {
    const parsed = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return {
      records: parsed.map(({ record, info }) => {
        // info.lines is the line where a record ends, and quoted values may span lines.
        const inner = record.reduce((sum, value) => sum + (value.match(/\n/g)?.length ?? 0), 0);
        return { values: record, line: info.lines - inner };
      }),
    };
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? null;
      return { line, message: line === null ? error.message : `line ${line}: ${error.message}` };
    }
    throw error;
  }
}

function groupByIncident(rows: SourceRow[]): SourceIncident[] {
  const incidents = new Map<string, SourceIncident>();
  for (const row of rows) {
    const incident = incidents.get(row.number);
    if (incident) incident.rows.push(row);
    else incidents.set(row.number, { number: row.number, rows: [row] });
  }
  return [...incidents.values()];
}

/**
 * Reads and validates a ServiceNow incident event log export. Returns every error found, each
 * with its line, so a caller can reject the file before writing anything. Times are read as UTC.
 */
export function readServiceNowLog(text: string, options: ReadOptions): SourceFile {
  const parsed = parseRecords(text);
  if (!("records" in parsed)) return { rows: 0, incidents: [], errors: [parsed] };
  const [first, ...records] = parsed.records;
  if (!first) {
    return { rows: 0, incidents: [], errors: [{ line: null, message: "the file is empty" }] };
  }

  const header = first.values.map((column) => column.trim());
  const headerErrors = checkHeader(header);
  if (headerErrors.length > 0) return { rows: records.length, incidents: [], errors: headerErrors };

  const rows: SourceRow[] = [];
  const errors: SourceError[] = [];
  for (const { values, line } of records) {
    const result = readRow(header, values, line, options);
    if (result.row) rows.push(result.row);
    errors.push(...result.errors);
  }
  const incidents = groupByIncident(rows);
  for (const {
    rows: [head],
  } of incidents) {
    if (head.updatedAt === null && head.openedAt === null) {
      errors.push({
        line: head.line,
        message:
          `line ${head.line}: the first row of ${head.number} ` +
          "has neither sys_updated_at nor opened_at",
      });
    }
  }
  return { rows: records.length, incidents, errors };
}
