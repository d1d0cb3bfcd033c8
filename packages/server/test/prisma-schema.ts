import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** A scalar field of a model in schema.prisma, with its database column. */
export interface SchemaField {
  name: string;
  column: string;
  type: string;
  optional: boolean;
  list: boolean;
}

export interface SchemaModel {
  name: string;
  table: string;
  fields: SchemaField[];
  indexNames: string[];
}

export interface PrismaSchema {
  models: SchemaModel[];
  enums: Map<string, string[]>;
}

const SCHEMA_PATH = fileURLToPath(new URL("../prisma/schema.prisma", import.meta.url));

/**
 * Reads the models and enums of schema.prisma with a small line parser. It covers the syntax
 * this schema uses: one field a line, @map, @@map and @@index(map:). Relation fields, whose
 * type is another model, are left out because they have no column.
 */
export function readPrismaSchema(path = SCHEMA_PATH): PrismaSchema {
  const text = readFileSync(path, "utf8").replace(/\/\/.*$/gm, "");
  const blocks = [...text.matchAll(/^(model|enum)\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const enums = new Map<string, string[]>();
  for (const [, kind, name, body] of blocks) {
    if (kind === "enum") {
      enums.set(
        name as string,
        (body as string).split(/\s+/).filter((w) => /^\w+$/.test(w)),
      );
    }
  }
  const modelNames = new Set(blocks.filter((b) => b[1] === "model").map((b) => b[2] as string));
  const models: SchemaModel[] = [];
  for (const [, kind, name, body] of blocks) {
    if (kind !== "model") continue;
    const fields: SchemaField[] = [];
    let table = name as string;
    const indexNames: string[] = [];
    for (const raw of (body as string).split("\n")) {
      const line = raw.trim();
      if (line === "") continue;
      if (line.startsWith("@@map")) {
        table = /"([^"]+)"/.exec(line)?.[1] ?? table;
        continue;
      }
      if (line.startsWith("@@index") || line.startsWith("@@unique")) {
        const map = /map:\s*"([^"]+)"/.exec(line)?.[1];
        if (map) indexNames.push(map);
        continue;
      }
      const match = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!match) continue;
      const [, fieldName, type, list, optional, attributes] = match;
      if (modelNames.has(type as string)) continue;
      const column = /@map\("([^"]+)"\)/.exec(attributes ?? "")?.[1] ?? (fieldName as string);
      fields.push({
        name: fieldName as string,
        column,
        type: type as string,
        optional: optional === "?",
        list: list === "[]",
      });
    }
    models.push({ name: name as string, table, fields, indexNames });
  }
  return { models, enums };
}

/** The PostgreSQL data_type that each Prisma scalar type maps to in the migrations. */
export const POSTGRES_TYPES: Record<string, string> = {
  Int: "integer",
  BigInt: "bigint",
  String: "text",
  Boolean: "boolean",
  DateTime: "timestamp with time zone",
  Json: "jsonb",
  Float: "double precision",
};
