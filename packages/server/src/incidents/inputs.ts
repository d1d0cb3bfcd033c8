import { checkText } from "@incident/shared";
import { builder } from "../builder";
import { invalid, parseId, unwrap } from "../errors";
import { IncidentStatusEnum, PriorityEnum } from "./enums";
import type { IncidentFilter } from "./filter";

export const IncidentFilterInput = builder.inputType("IncidentFilter", {
  description: "Each list matches any of its values; fields combine with AND.",
  fields: (t) => ({
    status: t.field({ type: [IncidentStatusEnum], required: false }),
    priority: t.field({ type: [PriorityEnum], required: false }),
    categoryId: t.idList({ required: false }),
    teamId: t.idList({ required: false }),
    search: t.string({
      required: false,
      description: "Case-insensitive text in the key, external reference, title or description.",
    }),
    detectedFrom: t.field({ type: "DateTime", required: false, description: "Inclusive." }),
    detectedTo: t.field({ type: "DateTime", required: false, description: "Exclusive." }),
  }),
});

type FilterArg = typeof IncidentFilterInput.$inferInput;

/** Values one filter list may hold; a longer list is a mistake or an attempt to overload. */
const MAX_FILTER_VALUES = 100;
const MAX_SEARCH_LENGTH = 200;

function checkSearch(value: string): string {
  return unwrap(checkText("filter.search", value, MAX_SEARCH_LENGTH, { singleLine: true }));
}

/** Converts the GraphQL filter into the service filter, parsing ids. */
export function toFilter(input: FilterArg | null | undefined): IncidentFilter {
  if (!input) return {};
  for (const field of ["status", "priority", "categoryId", "teamId"] as const) {
    const list = input[field];
    if (list && list.length > MAX_FILTER_VALUES) {
      throw invalid(
        `filter.${field}`,
        `filter.${field} may list at most ${MAX_FILTER_VALUES} values; got ${list.length}`,
      );
    }
  }
  const search = input.search == null ? null : checkSearch(input.search);
  const filter: IncidentFilter = {
    status: input.status ?? null,
    priority: input.priority ?? null,
    categoryId: input.categoryId?.map((id) => parseId("filter.categoryId", id)) ?? null,
    teamId: input.teamId?.map((id) => parseId("filter.teamId", id)) ?? null,
    search,
    detectedFrom: input.detectedFrom ?? null,
    detectedTo: input.detectedTo ?? null,
  };
  if (filter.detectedFrom && filter.detectedTo && filter.detectedFrom > filter.detectedTo) {
    throw invalid("filter.detectedTo", "filter.detectedTo must not be before filter.detectedFrom");
  }
  return filter;
}
