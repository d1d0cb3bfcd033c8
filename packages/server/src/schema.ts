import { lexicographicSortSchema, printSchema } from "graphql";
import { builder } from "./builder";
import "./categories/schema";
import "./events/schema";
import "./events/subscription";
import "./incidents/mutations";
import "./incidents/queries";
import "./kpis/schema";
import "./system/schema";
import "./teams/schema";

export const schema = builder.toSchema();

/** Prints the schema in SDL, as committed in schema.graphql. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
