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
}

/** The `IncidentFilter` input of the API, with only the parts that restrict anything. */
export interface IncidentFilterInput {
  status?: IncidentStatus[];
  priority?: Priority[];
  categoryId?: string[];
  teamId?: string[];
  search?: string;
}

export const EMPTY_FILTER: BoardFilter = {
  status: [],
  priority: [],
  categoryId: [],
  teamId: [],
  search: "",
};

/** Query string parameter of each filter field. */
const PARAMS = {
  status: "status",
  priority: "priority",
  categoryId: "category",
  teamId: "team",
  search: "q",
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

/**
 * Reads a filter from a query string such as "?status=RESPONDING,PRIORITIZED&team=2&q=db".
 * Unknown statuses and priorities and malformed ids are dropped, so a hand-edited URL still
 * loads. Lists may be comma-separated or repeated parameters.
 */
export function filterFromSearch(search: string): BoardFilter {
  const params = new URLSearchParams(search);
  return {
    status: inOrder(readList(params, PARAMS.status), INCIDENT_STATUSES),
    priority: inOrder(readList(params, PARAMS.priority), PRIORITIES),
    categoryId: sortedIds(readList(params, PARAMS.categoryId)),
    teamId: sortedIds(readList(params, PARAMS.teamId)),
    search: (params.get(PARAMS.search) ?? "").trim(),
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

  // Commas separate list values; keeping them unescaped makes the URL readable.
  const query = params.toString().replaceAll("%2C", ",");
  return query === "" ? "" : `?${query}`;
}

/**
 * Converts a board filter to the API's filter input, or null when it matches all. Equal
 * filters give equal inputs, so the normalized cache stores one list per filter.
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
  return Object.keys(input).length > 0 ? input : null;
}

/** Returns true when the filter restricts nothing. */
export function isEmptyFilter(filter: BoardFilter): boolean {
  return toIncidentFilter(filter) === null;
}
