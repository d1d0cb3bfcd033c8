import {
  INCIDENT_STATUSES,
  type IncidentStatus,
  PRIORITIES,
  type Priority,
} from "@incident/shared";

/** The board's filter, as the URL and the filter controls store it. Empty lists match all. */
export interface BoardFilter {
  status: IncidentStatus[];
  priority: Priority[];
  categoryId: string[];
  teamId: string[];
  search: string;
  /** First day of detection, as YYYY-MM-DD in the browser's time zone, or "" for no limit. */
  detectedFrom: string;
  /** Last day of detection, inclusive, as YYYY-MM-DD, or "" for no limit. */
  detectedTo: string;
}

/** The `IncidentFilter` input of the API, with only the parts that restrict anything. */
export interface IncidentFilterInput {
  status?: IncidentStatus[];
  priority?: Priority[];
  categoryId?: string[];
  teamId?: string[];
  search?: string;
  /** ISO date-time, inclusive. */
  detectedFrom?: string;
  /** ISO date-time, exclusive. */
  detectedTo?: string;
}

export const EMPTY_FILTER: BoardFilter = {
  status: [],
  priority: [],
  categoryId: [],
  teamId: [],
  search: "",
  detectedFrom: "",
  detectedTo: "",
};

/** Query string parameter of each filter field. */
const PARAMS = {
  status: "status",
  priority: "priority",
  categoryId: "category",
  teamId: "team",
  search: "q",
  detectedFrom: "from",
  detectedTo: "to",
} as const;

function readList(params: URLSearchParams, name: string): string[] {
  return params
    .getAll(name)
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value !== "");
}

/** Keeps the known values, without repeats, in the order of the list of known values. */
function inOrder<T extends string>(values: string[], known: readonly T[]): T[] {
  return known.filter((value) => values.includes(value));
}

/** Keeps positive integer ids, without repeats, in numeric order. */
function sortedIds(values: string[]): string[] {
  const ids = values.filter((value) => /^[1-9][0-9]{0,9}$/.test(value));
  return [...new Set(ids)].sort((a, b) => Number(a) - Number(b));
}

/** Parses a calendar date such as "2026-03-31", or returns null for text that names no real day. */
function parseDay(value: string): { year: number; month: number; day: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = date.getUTCMonth() === month - 1 && date.getUTCDate() === day && year >= 1000;
  return real ? { year, month, day } : null;
}

function validDay(value: string): string {
  return parseDay(value) === null ? "" : value.trim();
}

/**
 * Returns the detection days of a filter, valid or "", with a reversed pair swapped, because
 * the API rejects a window that ends before it starts.
 */
function dayWindow(filter: Pick<BoardFilter, "detectedFrom" | "detectedTo">): [string, string] {
  const from = validDay(filter.detectedFrom);
  const to = validDay(filter.detectedTo);
  return from !== "" && to !== "" && from > to ? [to, from] : [from, to];
}

/** Returns the start of a day in the browser's time zone, `days` later, as an ISO date-time. */
function startOfDay(value: string, days = 0): string {
  const parsed = parseDay(value);
  if (!parsed) throw new Error(`invalid day ${value}, expected YYYY-MM-DD`);
  return new Date(parsed.year, parsed.month - 1, parsed.day + days).toISOString();
}

/**
 * Reads a filter from a query string such as "?status=RESPONDING,PRIORITIZED&team=2&q=db" or
 * "?from=2026-03-01&to=2026-03-31". Unknown statuses and priorities, malformed ids and
 * invalid days are dropped, so a hand-edited URL still loads. Lists may be comma-separated or
 * repeated parameters.
 */
export function filterFromSearch(search: string): BoardFilter {
  const params = new URLSearchParams(search);
  const [detectedFrom, detectedTo] = dayWindow({
    detectedFrom: params.get(PARAMS.detectedFrom) ?? "",
    detectedTo: params.get(PARAMS.detectedTo) ?? "",
  });
  return {
    status: inOrder(readList(params, PARAMS.status), INCIDENT_STATUSES),
    priority: inOrder(readList(params, PARAMS.priority), PRIORITIES),
    categoryId: sortedIds(readList(params, PARAMS.categoryId)),
    teamId: sortedIds(readList(params, PARAMS.teamId)),
    search: (params.get(PARAMS.search) ?? "").trim(),
    detectedFrom,
    detectedTo,
  };
}

/** Writes a filter as a query string with a leading "?", or "" when it matches all. */
export function filterToSearch(filter: BoardFilter): string {
  const params = new URLSearchParams();
  const status = inOrder(filter.status, INCIDENT_STATUSES);
  const priority = inOrder(filter.priority, PRIORITIES);
  const categoryId = sortedIds(filter.categoryId);
  const teamId = sortedIds(filter.teamId);
  if (status.length > 0) params.set(PARAMS.status, status.join(","));
  if (priority.length > 0) params.set(PARAMS.priority, priority.join(","));
  if (categoryId.length > 0) params.set(PARAMS.categoryId, categoryId.join(","));
  if (teamId.length > 0) params.set(PARAMS.teamId, teamId.join(","));
  if (filter.search.trim() !== "") params.set(PARAMS.search, filter.search.trim());
  const [from, to] = dayWindow(filter);
  if (from !== "") params.set(PARAMS.detectedFrom, from);
  if (to !== "") params.set(PARAMS.detectedTo, to);

  // Commas separate list values; keeping them unescaped makes the URL readable.
  const query = params.toString().replaceAll("%2C", ",");
  return query === "" ? "" : `?${query}`;
}

/**
 * Converts a board filter to the API's filter input, or null when it matches all. Equal
 * filters give equal inputs, so the normalized cache stores one list per filter. The days
 * become the start of the first day and the start of the day after the last one, in the
 * browser's time zone.
 */
export function toIncidentFilter(filter: BoardFilter): IncidentFilterInput | null {
  const input: IncidentFilterInput = {};
  const status = inOrder(filter.status, INCIDENT_STATUSES);
  const priority = inOrder(filter.priority, PRIORITIES);
  const categoryId = sortedIds(filter.categoryId);
  const teamId = sortedIds(filter.teamId);
  if (status.length > 0) input.status = status;
  if (priority.length > 0) input.priority = priority;
  if (categoryId.length > 0) input.categoryId = categoryId;
  if (teamId.length > 0) input.teamId = teamId;
  if (filter.search.trim() !== "") input.search = filter.search.trim();
  const [from, to] = dayWindow(filter);
  if (from !== "") input.detectedFrom = startOfDay(from);
  if (to !== "") input.detectedTo = startOfDay(to, 1);
  return Object.keys(input).length > 0 ? input : null;
}

/** Returns true when the filter restricts nothing. */
export function isEmptyFilter(filter: BoardFilter): boolean {
  return toIncidentFilter(filter) === null;
}
