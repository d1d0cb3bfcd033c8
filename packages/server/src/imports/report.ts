import { EVENT_TYPES, type EventType } from "@incident/shared";
import {
  ADJUSTMENT_REASONS,
  type Adjustment,
  type AdjustmentReason,
} from "./servicenow/adjustments";
import { countEvents, type IncidentPlan } from "./servicenow/mapping";

/** The adjustments of one reason, with the incidents they concern. */
export interface AdjustmentGroup {
  reason: AdjustmentReason;
  description: string;
  count: number;
  /** Incident numbers, each once, in file order. */
  incidents: string[];
  items: { incident: string; line: number; detail: string }[];
}

export interface ImportError {
  /** Line of the file, or null when the error concerns no single line. */
  line: number | null;
  incident: string | null;
  message: string;
}

/**
 * Outcome of a run. `rejected`: the file failed validation and nothing was written.
 * `stopped`: the run ended early, on a database failure or an interruption. The incidents
 * created until then stay, and a rerun imports the rest. `completed`: every incident was
 * created, skipped or, with an error listed, failed.
 */
export type ImportOutcome = "completed" | "rejected" | "stopped";

export interface ImportReport {
  source: string;
  /** Zone in which the log's times, which carry none, were read. */
  timeZone: "UTC";
  dryRun: boolean;
  outcome: ImportOutcome;
  rows: number;
  incidents: {
    inFile: number;
    created: number;
    alreadyImported: number;
    failed: number;
    /** Incidents that a stopped run did not get to. */
    notReached: number;
  };
  /** Events recorded for the created incidents, by type. */
  events: Record<EventType, number>;
  eventsTotal: number;
  /** Rows of the created incidents that change nothing the importer maps, so record no event. */
  unchangedRows: number;
  teamsCreated: string[];
  categoriesCreated: string[];
  adjustments: AdjustmentGroup[];
  errors: ImportError[];
  durationMs: number;
}

/** Collects the outcome of a run, incident by incident. */
export class ReportBuilder {
  private readonly report: ImportReport;
  private readonly adjustments: Adjustment[] = [];
  private readonly startedAt: number;

  /** startedAt is the run's start in epoch milliseconds, so the duration includes parsing. */
  constructor(
    source: string,
    options: { dryRun: boolean; rows: number; incidents: number; startedAt: number },
  ) {
    this.startedAt = options.startedAt;
    this.report = {
      source,
      timeZone: "UTC",
      dryRun: options.dryRun,
      outcome: "completed",
      rows: options.rows,
      incidents: {
        inFile: options.incidents,
        created: 0,
        alreadyImported: 0,
        failed: 0,
        notReached: 0,
      },
      events: Object.fromEntries(EVENT_TYPES.map((type) => [type, 0])) as Record<EventType, number>,
      eventsTotal: 0,
      unchangedRows: 0,
      teamsCreated: [],
      categoriesCreated: [],
      adjustments: [],
      errors: [],
      durationMs: 0,
    };
  }

  created(plan: IncidentPlan) {
    this.report.incidents.created++;
    for (const [type, count] of countEvents(plan)) {
      this.report.events[type] += count;
      this.report.eventsTotal += count;
    }
    this.report.unchangedRows += plan.unchangedRows;
    this.adjustments.push(...plan.adjustments);
  }

  alreadyImported() {
    this.report.incidents.alreadyImported++;
  }

  failed(error: ImportError) {
    this.report.incidents.failed++;
    this.report.errors.push(error);
  }

  stopped(error: ImportError, notReached: number) {
    this.report.outcome = "stopped";
    this.report.incidents.notReached = notReached;
    this.report.errors.push(error);
  }

  rejected(errors: ImportError[]) {
    this.report.outcome = "rejected";
    this.report.errors.push(...errors);
  }

  createdNames(kind: "teamsCreated" | "categoriesCreated", names: string[]) {
    this.report[kind].push(...names);
  }

  finish(): ImportReport {
    this.report.adjustments = groupAdjustments(this.adjustments);
    this.report.durationMs = Date.now() - this.startedAt;
    return this.report;
  }
}

function groupAdjustments(adjustments: Adjustment[]): AdjustmentGroup[] {
  const groups = new Map<AdjustmentReason, AdjustmentGroup>();
  for (const { incident, line, reason, detail } of adjustments) {
    let group = groups.get(reason);
    if (!group) {
      const description = ADJUSTMENT_REASONS[reason];
      group = { reason, description, count: 0, incidents: [], items: [] };
      groups.set(reason, group);
    }
    group.count++;
    if (group.incidents.at(-1) !== incident) group.incidents.push(incident);
    group.items.push({ incident, line, detail });
  }
  const order = Object.keys(ADJUSTMENT_REASONS);
  return [...groups.values()].sort((a, b) => order.indexOf(a.reason) - order.indexOf(b.reason));
}

/** Joins words into lines of at most width characters, each starting with the indent. */
function wrap(words: string[], indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of words) {
    const next = line === indent ? `${line}${word}` : `${line}, ${word}`;
    if (next.length > width && line !== indent) {
      lines.push(`${line},`);
      line = `${indent}${word}`;
    } else {
      line = next;
    }
  }
  if (line !== indent) lines.push(line);
  return lines;
}

/** Number of errors the text report lists. The JSON report contains all of them. */
const SHOWN_ERRORS = 50;

/** Formats a report for a terminal: counts, events by type, adjustments and errors. */
export function formatReport(report: ImportReport): string {
  const { incidents } = report;
  const seconds = (report.durationMs / 1000).toFixed(1);
  const verb = report.dryRun ? "would be created" : "created";
  const mode = report.dryRun ? " (dry run, nothing written)" : "";
  const out = [
    `ServiceNow import of ${report.source}: ${report.outcome}${mode} in ${seconds} s`,
    "Times in the file carry no zone and were read as UTC.",
    `Rows read: ${report.rows}; incidents in the file: ${incidents.inFile}`,
    `Incidents ${verb}: ${incidents.created}`,
    `Incidents skipped as already imported: ${incidents.alreadyImported}`,
    `Incidents failed: ${incidents.failed}`,
  ];
  if (incidents.notReached > 0) out.push(`Incidents not reached: ${incidents.notReached}`);

  out.push(`Events ${report.dryRun ? "planned" : "recorded"}: ${report.eventsTotal}`);
  for (const type of EVENT_TYPES) {
    if (report.events[type] > 0) out.push(`  ${type.padEnd(12)} ${report.events[type]}`);
  }
  out.push(`Rows without a lifecycle change (no event): ${report.unchangedRows}`);
  for (const [label, names] of [
    ["Teams", report.teamsCreated],
    ["Categories", report.categoriesCreated],
  ] as const) {
    out.push(`${label} ${verb}: ${names.length}`, ...wrap(names, "  "));
  }

  const adjusted = report.adjustments.reduce((sum, group) => sum + group.count, 0);
  out.push(`Adjustments: ${adjusted}`);
  for (const group of report.adjustments) {
    out.push(`  ${group.description} (${group.count}):`, ...wrap(group.incidents, "    "));
  }

  out.push(`Errors: ${report.errors.length === 0 ? "none" : report.errors.length}`);
  for (const error of report.errors.slice(0, SHOWN_ERRORS)) out.push(`  ${error.message}`);
  if (report.errors.length > SHOWN_ERRORS) {
    out.push(`  … and ${report.errors.length - SHOWN_ERRORS} more; write the report with --report`);
  }
  return `${out.join("\n")}\n`;
}
