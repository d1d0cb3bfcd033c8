import type pg from "pg";
import type { CapturedStatement } from "./server";

/** Runs one captured statement the way the Prisma adapter does: same text, values, row mode. */
export function runStatement(
  runner: pg.Pool | pg.PoolClient,
  statement: CapturedStatement,
  values: unknown[] = statement.values,
): Promise<pg.QueryResult<unknown[]>> {
  return runner.query({ text: statement.text, values, rowMode: "array" });
}

/**
 * Replays a read the way Prisma ran it: the first statement, then the statements that depend
 * on its rows (relation loads, breakdowns) at the same time on separate pool connections.
 */
export async function replayRead(pool: pg.Pool, statements: CapturedStatement[]): Promise<void> {
  const [first, ...rest] = statements;
  if (!first) throw new Error("no statements to replay");
  await runStatement(pool, first);
  await Promise.all(rest.map((statement) => runStatement(pool, statement)));
}

/** The event bus's read of new events (readEvents in src/events/bus.ts). */
const BUS_READ = /FROM incident_events e JOIN users u/;

/** Drops the SQL that the event bus runs on its own, such as its poll of the events table. */
export function withoutBusReads(statements: CapturedStatement[]): CapturedStatement[] {
  return statements.filter((s) => !BUS_READ.test(s.text));
}

/**
 * Formats statements for the page as one code block, each with its values as JSON, without
 * the "public". schema prefix. Backend process ids become letters (connection A, B, ...) in
 * order of appearance, so the page does not change with the process ids of each run.
 */
export function formatStatements(statements: CapturedStatement[]): string {
  const letters = new Map<number, string>();
  const letterOf = (connection: number) => {
    if (!letters.has(connection)) letters.set(connection, String.fromCharCode(65 + letters.size));
    return letters.get(connection) as string;
  };
  const lines = statements.map((s, index) => {
    const text = s.text.replaceAll('"public".', "").trim().replace(/\n\s+/g, "\n  ");
    const values = s.values.length ? `\n-- values: ${shorten(JSON.stringify(s.values), 300)}` : "";
    const connection = s.connection === null ? "" : ` (connection ${letterOf(s.connection)})`;
    return `-- ${index + 1}${connection}\n${text};${values}`;
  });
  return ["```sql", ...lines, "```"].join("\n");
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
