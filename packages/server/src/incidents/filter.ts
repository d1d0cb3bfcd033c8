import type { IncidentStatus, Priority } from "@incident/shared";
import type { Prisma } from "../generated/prisma/client";

/** Incident filter of the API, with ids already parsed. Empty lists and nulls match all. */
export interface IncidentFilter {
  status?: IncidentStatus[] | null;
  priority?: Priority[] | null;
  categoryId?: number[] | null;
  teamId?: number[] | null;
  search?: string | null;
  detectedFrom?: Date | null;
  detectedTo?: Date | null;
}

function nonEmpty<T>(list: T[] | null | undefined): list is T[] {
  return Array.isArray(list) && list.length > 0;
}

/** Escapes the LIKE wildcards % and _ and the escape character itself. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Translates a filter into a Prisma where clause, so filtering runs in SQL. */
export function filterWhere(filter: IncidentFilter = {}): Prisma.IncidentWhereInput {
  const and: Prisma.IncidentWhereInput[] = [];
  if (nonEmpty(filter.status)) and.push({ status: { in: filter.status } });
  if (nonEmpty(filter.priority)) and.push({ priority: { in: filter.priority } });
  if (nonEmpty(filter.categoryId)) and.push({ categoryId: { in: filter.categoryId } });
  if (nonEmpty(filter.teamId)) and.push({ teamId: { in: filter.teamId } });
  if (filter.detectedFrom) and.push({ detectedAt: { gte: filter.detectedFrom } });
  if (filter.detectedTo) and.push({ detectedAt: { lt: filter.detectedTo } });

  const search = filter.search?.trim();
  if (search) {
    // Prisma passes the text into ILIKE as it is; escaping keeps % and _ literal, as in KPIs.
    const contains = { contains: escapeLike(search), mode: "insensitive" as const };
    and.push({
      OR: [
        { key: contains },
        { externalRef: contains },
        { title: contains },
        { description: contains },
      ],
    });
  }
  return and.length > 0 ? { AND: and } : {};
}

/** The fields of an incident that a subscription filter looks at. */
export interface FilterFields {
  status: IncidentStatus;
  priority: Priority | null;
  categoryId: number | null;
  teamId: number | null;
}

/**
 * Returns true when the fields match the status, priority, category and team parts of the
 * filter. Subscriptions use it on each event, in memory.
 */
export function matchesFilter(fields: FilterFields, filter: IncidentFilter = {}): boolean {
  if (nonEmpty(filter.status) && !filter.status.includes(fields.status)) return false;
  if (
    nonEmpty(filter.priority) &&
    (fields.priority === null || !filter.priority.includes(fields.priority))
  ) {
    return false;
  }
  if (
    nonEmpty(filter.categoryId) &&
    (fields.categoryId === null || !filter.categoryId.includes(fields.categoryId))
  ) {
    return false;
  }
  if (
    nonEmpty(filter.teamId) &&
    (fields.teamId === null || !filter.teamId.includes(fields.teamId))
  ) {
    return false;
  }
  return true;
}
