import { setImmediate } from "node:timers/promises";
import type { InputLimits, LifecycleAction } from "@incident/shared";
import { ensureUser, IMPORT_USER } from "../accounts/service";
import { ensureCategory } from "../categories/service";
import { DomainError } from "../errors";
import { type Actor, createIncident, type ServiceContext } from "../incidents/service";
import type { IncidentChanges } from "../incidents/view";
import type { Logger } from "../logger";
import { ensureTeam } from "../teams/service";
import { type ImportReport, ReportBuilder } from "./report";
import {
  type IncidentPlan,
  type MappingOptions,
  type PlannedAction,
  planIncident,
  UNCATEGORIZED,
} from "./servicenow/mapping";
import { readServiceNowLog, type SourceIncident } from "./servicenow/source";

/** A log to import: its text and the name the report gives it, such as the file path. */
export interface ImportSource {
  name: string;
  text: string;
}

export interface ImportOptions {
  /** Signal that stops the run before the next incident. The incidents created so far stay. */
  signal?: AbortSignal;
}

/** The reason recorded with a priority that differs from the impact-urgency matrix. */
const OVERRIDE_REASON = "imported";

/** Returns the first group that the log shows with each category, in file order. */
function firstGroups(incidents: SourceIncident[]): Map<string, string | null> {
  const groups = new Map<string, string | null>();
  for (const { rows } of incidents) {
    if (rows[0].category === null) groups.set(UNCATEGORIZED, null);
    for (const { category, group } of rows) {
      if (category === null) continue;
      if (!groups.has(category) || (groups.get(category) === null && group !== null)) {
        groups.set(category, group);
      }
    }
  }
  return groups;
}

/**
 * Validates and maps a log without writing anything. The report counts what an import into an
 * empty database would create; categories take the first group the log shows with them.
 */
export function previewServiceNowLog(
  source: ImportSource,
  settings: { now: Date; limits: InputLimits },
): ImportReport {
  const startedAt = Date.now();
  const file = readServiceNowLog(source.text, settings);
  const report = new ReportBuilder(source.name, {
    dryRun: true,
    rows: file.rows,
    incidents: file.incidents.length,
    startedAt,
  });
  if (file.errors.length > 0) {
    report.rejected(file.errors.map((error) => ({ ...error, incident: null })));
    return report.finish();
  }

  const groups = firstGroups(file.incidents);
  const options: MappingOptions = {
    defaultTeamOf: (category) => groups.get(category) ?? null,
    limits: settings.limits,
  };
  const teams = new Set<string>();
  for (const incident of file.incidents) {
    for (const row of incident.rows) if (row.group !== null) teams.add(row.group);
    report.created(planIncident(incident, options));
  }
  report.createdNames("teamsCreated", [...teams]);
  report.createdNames("categoriesCreated", [...groups.keys()]);
  return report.finish();
}

async function importedRefs(ctx: ServiceContext, refs: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let start = 0; start < refs.length; start += 1000) {
    const rows = await ctx.prisma.incident.findMany({
      where: { externalRef: { in: refs.slice(start, start + 1000) } },
      select: { externalRef: true },
    });
    for (const row of rows) if (row.externalRef !== null) found.add(row.externalRef);
  }
  return found;
}

/** Ids of the teams and categories the incidents name, created on first sight. */
interface Directory {
  teamId(name: string): number;
  categoryId(name: string): number;
  mapping: MappingOptions;
}

async function prepareDirectory(
  ctx: ServiceContext,
  incidents: SourceIncident[],
  groups: Map<string, string | null>,
  report: ReportBuilder,
): Promise<Directory> {
  const teamNames = new Set<string>();
  const categoryNames = new Set<string>();
  for (const { rows } of incidents) {
    if (rows[0].category === null) categoryNames.add(UNCATEGORIZED);
    for (const { category, group } of rows) {
      if (group !== null) teamNames.add(group);
      if (category !== null) categoryNames.add(category);
    }
  }

  const teams = new Map<string, number>();
  const createdTeams: string[] = [];
  for (const name of teamNames) {
    const existing = await ctx.prisma.team.findUnique({ where: { name } });
    teams.set(name, existing?.id ?? (await ensureTeam(ctx, name)).id);
    if (!existing) createdTeams.push(name);
  }

  const categories = new Map<string, { id: number; defaultTeam: string | null }>();
  const createdCategories: string[] = [];
  for (const name of categoryNames) {
    let category = await ctx.prisma.category.findUnique({
      where: { name },
      include: { defaultTeam: true },
    });
    if (!category) {
      const group = groups.get(name) ?? null;
      await ensureCategory(ctx, name, group === null ? null : (teams.get(group) ?? null));
      category = await ctx.prisma.category.findUniqueOrThrow({
        where: { name },
        include: { defaultTeam: true },
      });
      createdCategories.push(name);
    }
    categories.set(name, { id: category.id, defaultTeam: category.defaultTeam?.name ?? null });
  }
  report.createdNames("teamsCreated", createdTeams);
  report.createdNames("categoriesCreated", createdCategories);

  const lookup = <T>(map: Map<string, T>, kind: string, name: string): T => {
    const value = map.get(name);
    if (value === undefined) throw new Error(`${kind} ${name} was not prepared for the import`);
    return value;
  };
  return {
    teamId: (name) => lookup(teams, "team", name),
    categoryId: (name) => lookup(categories, "category", name).id,
    mapping: {
      defaultTeamOf: (name) => lookup(categories, "category", name).defaultTeam,
      limits: ctx.config.limits,
    },
  };
}

function toLifecycleAction(
  action: PlannedAction,
  directory: Directory,
): { action: LifecycleAction; extra?: IncidentChanges } {
  switch (action.type) {
    case "categorize":
      return { action: { type: "categorize", categoryId: directory.categoryId(action.category) } };
    case "prioritize":
      return {
        action: {
          ...action,
          overrideReason: action.priorityOverride === null ? null : OVERRIDE_REASON,
        },
      };
    case "assign":
      return { action: { type: "assign", teamId: directory.teamId(action.team) } };
    case "escalate":
      return {
        action: { type: "escalate", teamId: directory.teamId(action.team), reason: action.reason },
      };
    case "close":
      return action.problemRef === null
        ? { action: { type: "close" } }
        : { action: { type: "close" }, extra: { problemRef: action.problemRef } };
    default:
      return { action };
  }
}

async function writeIncident(
  ctx: ServiceContext,
  actor: Actor,
  plan: IncidentPlan,
  directory: Directory,
): Promise<void> {
  const history = plan.steps.map((step) => ({
    ...toLifecycleAction(step.action, directory),
    occurredAt: step.occurredAt,
  }));
  const input = {
    title: plan.title,
    description: plan.description,
    detectedAt: plan.detectedAt,
    occurredAt: plan.createdAt,
    externalRef: plan.externalRef,
  };
  await createIncident(ctx, actor, input, history);
}

function isDuplicateRef(error: unknown): boolean {
  return (
    error instanceof DomainError &&
    error.code === "CONFLICT" &&
    error.extensions.field === "externalRef"
  );
}

async function importIncidents(
  ctx: ServiceContext,
  log: Logger,
  incidents: SourceIncident[],
  directory: Directory,
  report: ReportBuilder,
  options: ImportOptions,
): Promise<void> {
  const actor = await ensureUser(ctx.prisma, IMPORT_USER);
  for (const [index, incident] of incidents.entries()) {
    const plan = planIncident(incident, directory.mapping);
    const where = `${plan.externalRef} (line ${plan.line})`;
    // PGlite resolves its queries in microtasks, which never let the event loop reach its poll
    // phase, where signals such as Ctrl-C are delivered. Yielding here lets an interrupt through.
    await setImmediate();
    if (options.signal?.aborted) {
      const message = `interrupted before ${where}. Run the import again to continue.`;
      report.stopped(
        { line: plan.line, incident: plan.externalRef, message },
        incidents.length - index,
      );
      return;
    }
    try {
      await writeIncident(ctx, actor, plan, directory);
      report.created(plan);
      log.debug({ incident: plan.externalRef, events: plan.steps.length + 1 }, "incident imported");
    } catch (error) {
      if (isDuplicateRef(error)) {
        report.alreadyImported();
      } else if (error instanceof DomainError) {
        log.warn({ incident: plan.externalRef, err: error }, "incident rejected by the service");
        const message = `${where}: rejected by the incident service: ${error.message}`;
        report.failed({ line: plan.line, incident: plan.externalRef, message });
      } else {
        log.error({ incident: plan.externalRef, err: error }, "import stopped by a database error");
        const reason = error instanceof Error ? error.message : String(error);
        const message = `${where}: database error: ${reason}. Run the import again to continue.`;
        report.stopped(
          { line: plan.line, incident: plan.externalRef, message },
          incidents.length - index,
        );
        return;
      }
    }
    if ((index + 1) % 500 === 0) log.info({ done: index + 1, of: incidents.length }, "progress");
  }
}

/**
 * Imports a ServiceNow incident event log. The whole file is validated first, and a file with
 * any error writes nothing. Then each incident not imported before (matched by its number as
 * external reference) is created with its whole timeline in one transaction, in file order. A
 * run that stops leaves the incidents created so far, and running it again imports the rest.
 */
export async function importServiceNowLog(
  ctx: ServiceContext,
  source: ImportSource,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const startedAt = Date.now();
  const log = ctx.log.child({ component: "import", source: source.name });
  const file = readServiceNowLog(source.text, { now: ctx.now(), limits: ctx.config.limits });
  const report = new ReportBuilder(source.name, {
    dryRun: false,
    rows: file.rows,
    incidents: file.incidents.length,
    startedAt,
  });
  if (file.errors.length > 0) {
    log.warn({ errors: file.errors.length }, "file rejected, nothing written");
    report.rejected(file.errors.map((error) => ({ ...error, incident: null })));
    return report.finish();
  }
  log.info({ rows: file.rows, incidents: file.incidents.length }, "import started");

  const imported = await importedRefs(
    ctx,
    file.incidents.map((incident) => incident.number),
  );
  const pending = file.incidents.filter((incident) => !imported.has(incident.number));
  for (let i = 0; i < imported.size; i++) report.alreadyImported();

  const directory = await prepareDirectory(ctx, pending, firstGroups(file.incidents), report);
  await importIncidents(ctx, log, pending, directory, report, options);

  const result = report.finish();
  log.info(
    { outcome: result.outcome, ...result.incidents, events: result.eventsTotal },
    "import finished",
  );
  return result;
}
