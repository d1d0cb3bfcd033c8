import SchemaBuilder from "@pothos/core";
import { GraphQLError, Kind } from "graphql";
import type { GraphQLContext } from "./context";

/** RFC 3339 date-time with a time zone, such as 2026-03-01T12:30:00Z. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

function parseDateTime(value: unknown): Date {
  if (typeof value !== "string" || !DATE_TIME.test(value)) {
    throw new GraphQLError(
      `DateTime must be an RFC 3339 date-time with a time zone, such as 2026-03-01T12:30:00Z; got ${JSON.stringify(value)}`,
      { extensions: { code: "VALIDATION_FAILED" } },
    );
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError(`DateTime ${value} is not a valid date`, {
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
