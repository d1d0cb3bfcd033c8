import SchemaBuilder from "@pothos/core";
import { GraphQLError, Kind } from "graphql";
import type { GraphQLContext } from "./context";

/** RFC 3339 date-time with a time zone, such as 2026-03-01T12:30:00Z. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** Earliest accepted time: older dates are typing errors that would distort every KPI. */
const EARLIEST = new Date("1970-01-01T00:00:00Z");

/**
 * Returns true when the date and time fields exist on the calendar. Date accepts 2026-02-30 as
 * March 2 and T24:00 as the next day; this rejects both.
 */
function isCalendarDate(value: string): boolean {
  const [, year, month, day, hour, minute, second] =
    value.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/)?.map(Number) ?? [];
  if (year === undefined || month === undefined || day === undefined) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    (hour ?? 0) <= 23 &&
    (minute ?? 0) <= 59 &&
    (Number.isNaN(second) || (second ?? 0) <= 59)
  );
}

function parseDateTime(value: unknown): Date {
  if (typeof value !== "string" || !DATE_TIME.test(value)) {
    throw new GraphQLError(
      `DateTime must be an RFC 3339 date-time with a time zone, such as 2026-03-01T12:30:00Z; got ${JSON.stringify(value)}`,
      { extensions: { code: "VALIDATION_FAILED" } },
    );
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !isCalendarDate(value)) {
    throw new GraphQLError(`DateTime ${value} is not a valid date and time`, {
      extensions: { code: "VALIDATION_FAILED" },
    });
  }
  if (date.getTime() < EARLIEST.getTime()) {
    throw new GraphQLError(`DateTime must not be before ${EARLIEST.toISOString()}; got ${value}`, {
      extensions: { code: "VALIDATION_FAILED" },
    });
  }
  return date;
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    ID: { Input: string; Output: string | number | bigint };
  };
}>({ defaultFieldNullability: false });

builder.scalarType("DateTime", {
  description: "An RFC 3339 date-time with a time zone, such as 2026-03-01T12:30:00Z.",
  serialize: (value) => (value as Date).toISOString(),
  parseValue: parseDateTime,
});

builder.scalarType("JSON", {
  description: "A JSON value.",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? ast.value : null),
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
