import type { IncidentStatus, Priority } from "@incident/shared";
import type { IncidentFilterInput } from "../filters/filter";

/** The fields of an incident that decide whether and where it appears in a list. */
export interface ListedIncident {
  id: string;
  key: string;
  number: number;
  title: string;
  description: string;
  externalRef?: string | null;
  status: IncidentStatus;
  priority?: Priority | null;
  category?: { id: string } | null;
  team?: { id: string } | null;
  detectedAt: string;
}

/** One loaded page of a list, in list order. */
export interface ListPage {
  nodes: ListedIncident[];
  hasNextPage: boolean;
}

/** A change to make to the loaded pages of one list, and to its total count. */
export type ListEdit =
  | { kind: "insert"; page: number; index: number; countDelta: 1 }
  | { kind: "remove"; page: number; index: number; countDelta: -1 }
  | { kind: "count"; countDelta: 1 | -1 };

/** One changed field of an event, as `IncidentEvent.changes` lists it. */
export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

function includesText(value: string | null | undefined, search: string): boolean {
  return (value ?? "").toLowerCase().includes(search);
}

/**
 * Returns true when the incident matches the filter, by the server's rules. Lists match any
 * of their values and fields combine with AND. The search text is case-insensitive and looked
 * up in the key, external reference, title and description. detectedFrom is inclusive and
 * detectedTo exclusive.
 */
export function matchesFilter(
  incident: ListedIncident,
  filter: IncidentFilterInput | null = null,
): boolean {
  if (!filter) return true;
  const { status, priority, categoryId, teamId } = filter;
  if (status?.length && !status.includes(incident.status)) return false;
  if (priority?.length && !(incident.priority && priority.includes(incident.priority))) {
    return false;
  }
  if (categoryId?.length && !(incident.category && categoryId.includes(incident.category.id))) {
    return false;
  }
  if (teamId?.length && !(incident.team && teamId.includes(incident.team.id))) return false;

  const detectedAt = Date.parse(incident.detectedAt);
  if (filter.detectedFrom && detectedAt < Date.parse(filter.detectedFrom)) return false;
  if (filter.detectedTo && detectedAt >= Date.parse(filter.detectedTo)) return false;

  const search = filter.search?.trim().toLowerCase();
  if (search) {
    const fields = [incident.key, incident.externalRef, incident.title, incident.description];
    if (!fields.some((value) => includesText(value, search))) return false;
  }
  return true;
}

/** Orders incidents as the API lists them: newest detection first, then the higher number. */
export function compareListOrder(a: ListedIncident, b: ListedIncident): number {
  const byDetection = Date.parse(b.detectedAt) - Date.parse(a.detectedAt);
  return byDetection !== 0 ? byDetection : b.number - a.number;
}

/**
 * Returns the incident as it was before an event, from the event's changed fields. Fields
 * that the filter does not read are left as they are.
 */
export function previousState(incident: ListedIncident, changes: FieldChange[]): ListedIncident {
  const previous: ListedIncident = { ...incident };
  for (const { field, before } of changes) {
    const value = before ?? null;
    if (field === "status") previous.status = value as IncidentStatus;
    if (field === "priority") previous.priority = value as Priority | null;
    if (field === "title") previous.title = String(value ?? "");
    if (field === "description") previous.description = String(value ?? "");
    if (field === "categoryId") previous.category = value === null ? null : { id: String(value) };
    if (field === "teamId") previous.team = value === null ? null : { id: String(value) };
  }
  return previous;
}

function locate(pages: ListPage[], id: string): { page: number; index: number } | null {
  for (const [page, { nodes }] of pages.entries()) {
    const index = nodes.findIndex((node) => node.id === id);
    if (index >= 0) return { page, index };
  }
  return null;
}

/** Finds where the incident belongs among the loaded pages, or null when after all of them. */
function insertionPoint(pages: ListPage[], incident: ListedIncident) {
  for (const [page, { nodes }] of pages.entries()) {
    const index = nodes.findIndex((node) => compareListOrder(incident, node) < 0);
    if (index >= 0) return { page, index };
  }
  const last = pages.length - 1;
  const lastPage = pages[last];
  // Past the last loaded row, the incident belongs to a page that is not loaded yet.
  if (!lastPage || lastPage.hasNextPage) return null;
  return { page: last, index: lastPage.nodes.length };
}

/**
 * Plans how one list changes after an incident changed. Where the incident sorts among the
 * loaded rows, the rows themselves show whether it was listed, so the plan only compares
 * membership with the filter. Past the loaded rows, only the total count can change, and only
 * when the state before the change is known. `previous` is null for a new incident and
 * undefined when unknown, in which case nothing changes because a later event carries it.
 */
export function planListEdit(
  pages: ListPage[],
  incident: ListedIncident,
  filter: IncidentFilterInput | null,
  previous?: ListedIncident | null,
): ListEdit | null {
  const matches = matchesFilter(incident, filter);
  const found = locate(pages, incident.id);
  if (found) return matches ? null : { kind: "remove", ...found, countDelta: -1 };

  const point = insertionPoint(pages, incident);
  if (point) return matches ? { kind: "insert", ...point, countDelta: 1 } : null;

  if (previous === undefined) return null;
  const matched = previous !== null && matchesFilter(previous, filter);
  if (matched === matches) return null;
  return { kind: "count", countDelta: matches ? 1 : -1 };
}
