import {
  type EventType,
  type InputLimits,
  type Level,
  type Priority,
  priorityFor,
} from "@incident/shared";
import type { Adjustment, AdjustmentReason } from "./adjustments";
import { descriptionOf, titleOf, truncate } from "./describe";
import { isAwaiting, type SourceIncident, type SourceRow, type SourceState } from "./source";
import { formatSourceTime } from "./time";

/** Category of incidents whose log gives none, because prioritizing needs a category. */
export const UNCATEGORIZED = "Uncategorized";

/** A lifecycle action of an imported incident, naming teams and categories by name. */
export type PlannedAction =
  | { type: "categorize"; category: string }
  | { type: "prioritize"; impact: Level; urgency: Level; priorityOverride: Priority | null }
  | { type: "acknowledge" }
  | { type: "assign"; team: string }
  | { type: "escalate"; team: string; reason: string }
  | { type: "hold"; reason: string }
  | { type: "resolve"; resolution: string }
  | { type: "close"; problemRef: string | null }
  | { type: "reopen"; reason: string }
  | { type: "comment"; body: string };

/** Event type that each planned action records. */
export const EVENT_TYPE_OF: Record<PlannedAction["type"], EventType> = {
  categorize: "CATEGORIZED",
  prioritize: "PRIORITIZED",
  acknowledge: "ACKNOWLEDGED",
  assign: "ASSIGNED",
  escalate: "ESCALATED",
  hold: "ON_HOLD",
  resolve: "RESOLVED",
  close: "CLOSED",
  reopen: "REOPENED",
  comment: "COMMENTED",
};

export interface PlannedStep {
  /** Line of the row that the step comes from. */
  line: number;
  occurredAt: Date;
  action: PlannedAction;
}

/** Import plan of one incident of the log: its creation, then its steps in order. */
export interface IncidentPlan {
  externalRef: string;
  line: number;
  title: string;
  description: string;
  detectedAt: Date;
  /** Time of the CREATED event, the first row's update time. */
  createdAt: Date;
  steps: PlannedStep[];
  adjustments: Adjustment[];
  /** Rows that change nothing the importer maps, so they record no event. */
  unchangedRows: number;
}

export interface MappingOptions {
  /** Returns the name of the category's default team, or null when it has none. */
  defaultTeamOf(category: string): string | null;
  limits: Pick<InputLimits, "title" | "description">;
}

type Status = "PRIORITIZED" | "RESPONDING" | "RESOLVED" | "CLOSED";

/** Fields of the incident that rows can change. */
interface Fields {
  category: string;
  team: string | null;
  impact: Level;
  urgency: Level;
  priority: Priority;
}

/** Returns the index of the last row entering the state, which resolved_at or closed_at dates. */
function lastEntryInto(rows: SourceRow[], state: SourceState): number {
  for (let i = rows.length - 1; i >= 0; i--) {
    if (rows[i]?.state === state && rows[i - 1]?.state !== state) return i;
  }
  return -1;
}

function describeChanges(before: Fields, after: Fields): string[] {
  const names: [keyof Fields, string][] = [
    ["category", "category"],
    ["team", "assignment_group"],
    ["impact", "impact"],
    ["urgency", "urgency"],
    ["priority", "priority"],
  ];
  return names
    .filter(([field]) => before[field] !== after[field])
    .map(([field, column]) => `${column} from ${before[field] ?? "none"} to ${after[field]}`);
}

/** Walks the rows of one incident, keeping the state the imported incident would be in. */
class IncidentMapper {
  readonly steps: PlannedStep[] = [];
  readonly adjustments: Adjustment[] = [];
  unchangedRows = 0;

  private status: Status = "PRIORITIZED";
  private sourceState: SourceState = "New";
  /** The incident's fields as the steps so far have set them. */
  private applied: Fields;
  /** The fields as the log last gave them, which differ from applied after a resolution. */
  private reported: Fields;
  private lastAt: Date;
  private line: number;
  private readonly finalResolve: number;
  private readonly finalClose: number;
  readonly detectedAt: Date;
  readonly createdAt: Date;

  constructor(
    private readonly incident: SourceIncident,
    private readonly options: MappingOptions,
  ) {
    const [first] = incident.rows;
    this.line = first.line;
    this.finalResolve = lastEntryInto(incident.rows, "Resolved");
    this.finalClose = lastEntryInto(incident.rows, "Closed");

    let detectedAt = first.openedAt;
    if (detectedAt === null) {
      detectedAt = first.updatedAt as Date;
      this.adjust("opened-at-missing", `detected at ${formatSourceTime(detectedAt)}`);
    }
    let createdAt = first.updatedAt;
    if (createdAt === null) {
      createdAt = detectedAt;
      this.adjust("update-time-missing", `created at ${formatSourceTime(createdAt)}`);
    }
    if (createdAt.getTime() < detectedAt.getTime()) {
      this.adjust(
        "update-before-opened",
        `created at ${formatSourceTime(createdAt)} moved to ${formatSourceTime(detectedAt)}`,
      );
      createdAt = detectedAt;
    }
    this.detectedAt = detectedAt;
    this.createdAt = createdAt;
    this.lastAt = createdAt;

    const fields = this.firstFields(first);
    this.applied = fields;
    this.reported = fields;
  }

  map(): void {
    this.incident.rows.forEach((row, index) => {
      this.line = row.line;
      const before = this.steps.length;
      const at = index === 0 ? this.createdAt : this.updateTime(row);
      const reopened = index > 0 && this.mapChanges(row, at);
      this.mapState(row, index, at, reopened);
      this.sourceState = row.state;
      if (index > 0 && this.steps.length === before) this.unchangedRows++;
    });
  }

  private adjust(reason: AdjustmentReason, detail: string) {
    this.adjustments.push({ incident: this.incident.number, line: this.line, reason, detail });
  }

  /** Adds a step, moving its time up to the previous event's when the log has it earlier. */
  private emit(action: PlannedAction, at: Date) {
    let occurredAt = at;
    if (at.getTime() < this.lastAt.getTime()) {
      const early = at.getTime() < this.detectedAt.getTime();
      const reason = early ? "update-before-opened" : "update-out-of-order";
      const moved = `${formatSourceTime(at)} moved to ${formatSourceTime(this.lastAt)}`;
      this.adjust(reason, `${action.type} at ${moved}`);
      occurredAt = this.lastAt;
    }
    this.steps.push({ line: this.line, occurredAt, action });
    this.lastAt = occurredAt;
  }

  /** Categorizes and prioritizes at creation, then assigns when routing picked another team. */
  private firstFields(first: SourceRow): Fields {
    let category = first.category;
    if (category === null) {
      category = UNCATEGORIZED;
      this.adjust("category-missing", `filed under ${UNCATEGORIZED}`);
    }
    const routed = this.options.defaultTeamOf(category);
    if (first.group === null) {
      this.adjust("group-missing", `routed by category to ${routed ?? "no team"}`);
    }
    const impact = first.impact ?? this.missingLevel("impact-missing", "impact", "MEDIUM");
    const urgency = first.urgency ?? this.missingLevel("urgency-missing", "urgency", "MEDIUM");
    const priority = first.priority ?? this.matrixPriority(impact, urgency);
    const fields: Fields = { category, team: first.group ?? routed, impact, urgency, priority };

    this.emit({ type: "categorize", category }, this.createdAt);
    this.emit(prioritizeAction(fields), this.createdAt);
    if (fields.team !== null && fields.team !== routed) {
      this.emit({ type: "assign", team: fields.team }, this.createdAt);
    }
    return fields;
  }

  private missingLevel(reason: AdjustmentReason, column: string, value: Level): Level {
    this.adjust(reason, `${column} set to ${value}`);
    return value;
  }

  private matrixPriority(impact: Level, urgency: Level): Priority {
    const priority = priorityFor(impact, urgency);
    this.adjust("priority-missing", `priority set to ${priority}`);
    return priority;
  }

  private updateTime(row: SourceRow): Date {
    if (row.updatedAt !== null) return row.updatedAt;
    this.adjust("update-time-missing", `update placed at ${formatSourceTime(this.lastAt)}`);
    return this.lastAt;
  }

  /** Returns the row's fields, taking the missing ones from the previous row. */
  private rowFields(row: SourceRow): Fields {
    const previous = this.reported;
    if (row.category === null) this.adjust("category-missing", `kept ${previous.category}`);
    if (row.group === null) this.adjust("group-missing", `kept ${previous.team ?? "no team"}`);
    if (row.impact === null) this.adjust("impact-missing", `kept ${previous.impact}`);
    if (row.urgency === null) this.adjust("urgency-missing", `kept ${previous.urgency}`);
    const impact = row.impact ?? previous.impact;
    const urgency = row.urgency ?? previous.urgency;
    return {
      category: row.category ?? previous.category,
      team: row.group ?? previous.team,
      impact,
      urgency,
      priority: row.priority ?? this.matrixPriority(impact, urgency),
    };
  }

  /**
   * Maps changes of category, team and priority. A row that leaves Resolved or Closed reopens
   * the incident first. Returns whether the row reopened it.
   */
  private mapChanges(row: SourceRow, at: Date): boolean {
    const fields = this.rowFields(row);
    const closed = this.status === "RESOLVED" || this.status === "CLOSED";
    const reopened = closed && this.reopens(row.state);
    if (reopened) {
      const reason = `Reopened in ServiceNow: ${row.state} after ${this.sourceState}`;
      this.emit({ type: "reopen", reason }, at);
      this.status = "RESPONDING";
    }

    if (this.status === "RESOLVED" || this.status === "CLOSED") {
      const changes = describeChanges(this.reported, fields);
      if (changes.length > 0) {
        const body = `Changed in ServiceNow after resolution: ${changes.join("; ")}`;
        this.emit({ type: "comment", body }, at);
        this.adjust("change-after-resolution", changes.join("; "));
      }
    } else {
      this.applyChanges(fields, at);
    }
    this.reported = fields;
    return reopened;
  }

  private reopens(state: SourceState): boolean {
    if (state === "Closed") return false;
    return state !== "Resolved" || this.status === "CLOSED";
  }

  private applyChanges(fields: Fields, at: Date) {
    const applied = { ...this.applied };
    if (fields.category !== applied.category) {
      this.emit({ type: "categorize", category: fields.category }, at);
      applied.category = fields.category;
      // Categorizing routes an incident that has no team yet.
      applied.team ??= this.options.defaultTeamOf(fields.category);
    }
    if (
      fields.impact !== applied.impact ||
      fields.urgency !== applied.urgency ||
      fields.priority !== applied.priority
    ) {
      this.emit(prioritizeAction(fields), at);
      applied.impact = fields.impact;
      applied.urgency = fields.urgency;
      applied.priority = fields.priority;
    }
    if (fields.team !== null && fields.team !== applied.team) {
      if (this.status === "RESPONDING" && applied.team !== null) {
        const reason = `Reassigned in ServiceNow from ${applied.team} to ${fields.team}`;
        this.emit({ type: "escalate", team: fields.team, reason }, at);
      } else {
        this.emit({ type: "assign", team: fields.team }, at);
      }
      applied.team = fields.team;
    }
    this.applied = applied;
  }

  private mapState(row: SourceRow, index: number, at: Date, reopened: boolean) {
    const previous = this.sourceState;
    switch (row.state) {
      case "New":
        if (this.status === "RESPONDING" && previous !== "New" && !reopened) {
          this.adjust("new-while-responding", `state New after ${previous}`);
        }
        return;
      case "Active":
        if (this.status === "PRIORITIZED") this.acknowledge(at);
        else if (isAwaiting(previous) && !reopened) {
          const body = `Work resumed in ServiceNow: Active after ${previous}`;
          this.emit({ type: "comment", body }, at);
        }
        return;
      case "Resolved":
        if (this.status === "PRIORITIZED" || this.status === "RESPONDING") {
          this.resolve(row, index, at);
        }
        return;
      case "Closed":
        this.close(row, index, at);
        return;
      default:
        this.hold(row, at, previous, reopened);
    }
  }

  private hold(row: SourceRow, at: Date, previous: SourceState, reopened: boolean) {
    if (this.status === "PRIORITIZED") {
      this.adjust("hold-without-active", `acknowledged at ${formatSourceTime(at)}`);
      this.acknowledge(at);
    } else if (row.state === previous && !reopened) {
      return;
    }
    this.emit({ type: "hold", reason: `On hold in ServiceNow: ${row.state}` }, at);
  }

  private acknowledge(at: Date) {
    this.emit({ type: "acknowledge" }, at);
    this.status = "RESPONDING";
  }

  private resolve(row: SourceRow, index: number, at: Date) {
    const resolvedAt = this.resolutionTime(row, index, at);
    if (this.status === "PRIORITIZED") {
      this.adjust("resolved-without-active", `acknowledged at ${formatSourceTime(resolvedAt)}`);
      this.acknowledge(resolvedAt);
    }
    let resolution = `Resolved in ServiceNow with closed code "${row.closedCode}"`;
    if (row.closedCode === null) {
      resolution = "Resolved in ServiceNow; the log gives no closed code";
      this.adjust("closed-code-missing", "resolution summary without a closed code");
    }
    this.emit({ type: "resolve", resolution }, resolvedAt);
    this.status = "RESOLVED";
  }

  /**
   * Returns the time of a resolution. The log's resolved_at dates the last resolution, and
   * earlier ones happen at their row's time.
   */
  private resolutionTime(row: SourceRow, index: number, at: Date): Date {
    const final =
      index === this.finalResolve || (row.state === "Closed" && index === this.finalClose);
    if (!final) return at;
    if (row.resolvedAt !== null) return row.resolvedAt;
    if (row.closedAt !== null) {
      this.adjust("resolved-at-missing", `resolved at closed_at ${formatSourceTime(row.closedAt)}`);
      return row.closedAt;
    }
    this.adjust("resolved-at-missing", `resolved at the update's time ${formatSourceTime(at)}`);
    return at;
  }

  private close(row: SourceRow, index: number, at: Date) {
    if (this.status === "CLOSED") return;
    if (this.status !== "RESOLVED") {
      this.adjust("closed-without-resolved", `no Resolved update before ${row.state}`);
      this.resolve(row, index, at);
    }
    let closedAt = at;
    if (index === this.finalClose) {
      if (row.closedAt !== null) closedAt = row.closedAt;
      else this.adjust("closed-at-missing", `closed at ${formatSourceTime(at)}`);
    }
    this.emit({ type: "close", problemRef: row.problemId }, closedAt);
    this.status = "CLOSED";
  }
}

function prioritizeAction(fields: Fields): PlannedAction {
  const matrix = priorityFor(fields.impact, fields.urgency);
  return {
    type: "prioritize",
    impact: fields.impact,
    urgency: fields.urgency,
    priorityOverride: fields.priority === matrix ? null : fields.priority,
  };
}

/**
 * Plans the import of one incident: its creation at the first row's update time, then one or
 * more lifecycle steps per row, with every departure from the log recorded as an adjustment.
 */
export function planIncident(incident: SourceIncident, options: MappingOptions): IncidentPlan {
  const mapper = new IncidentMapper(incident, options);
  mapper.map();
  const adjustments = mapper.adjustments;
  const line = incident.rows[0].line;

  const title = titleOf(incident);
  const description = descriptionOf(incident);
  const limits = options.limits;
  const fitted = {
    title: truncate(title, limits.title),
    description: truncate(description, limits.description),
  };
  for (const field of ["title", "description"] as const) {
    if (fitted[field] !== (field === "title" ? title : description)) {
      const reason = field === "title" ? "title-truncated" : "description-truncated";
      const detail = `${field} cut to ${limits[field]} characters`;
      adjustments.push({ incident: incident.number, line, reason, detail });
    }
  }

  return {
    externalRef: incident.number,
    line,
    ...fitted,
    detectedAt: mapper.detectedAt,
    createdAt: mapper.createdAt,
    steps: mapper.steps,
    adjustments,
    unchangedRows: mapper.unchangedRows,
  };
}

/** Counts the events that a plan records, by type, the CREATED event included. */
export function countEvents(plan: IncidentPlan): Map<EventType, number> {
  const counts = new Map<EventType, number>([["CREATED", 1]]);
  for (const step of plan.steps) {
    const type = EVENT_TYPE_OF[step.action.type];
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}
