// Writes the GraphQL schema to schema.graphql, or with --check fails when the file differs.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { printedSchema } from "../src/schema";

const path = fileURLToPath(new URL("../schema.graphql", import.meta.url));
const printed = printedSchema();
if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(path, "utf8");
  } catch {
    // A missing file differs like any other.
  }
  if (committed !== printed) {
    console.error(
      "schema.graphql differs from the schema; run pnpm --filter @incident/server schema:print",
    );
    process.exit(1);
  }
  console.log("schema.graphql is up to date");
} else {
  writeFileSync(path, printed);
  console.log(`wrote ${path}`);
}
