export type Cell = string | number;

export interface Table {
  headers: string[];
  rows: Cell[][];
}

export interface Goal {
  text: string;
  met: boolean;
  /** The figures the verdict rests on. */
  detail: string;
}

/** The outcome of one benchmark: tables for the console and the page, goals, notes. */
export interface Section {
  title: string;
  /** Markdown paragraphs that describe what was measured and the baseline. */
  intro: string;
  tables: Table[];
  goals: Goal[];
  /** Markdown shown after the tables, such as the SQL and the plans. */
  details: string;
}

export function formatNumber(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : "n/a";
}

function cellText(cell: Cell): string {
  return typeof cell === "number" ? formatNumber(cell) : cell;
}

/** Renders a table with padded columns for a terminal. */
export function consoleTable(table: Table): string {
  const rows = [table.headers, ...table.rows.map((row) => row.map(cellText))];
  const widths = table.headers.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(rows[0] ?? []), rule, ...rows.slice(1).map(line)].join("\n");
}

export function markdownTable(table: Table): string {
  const escapePipes = (text: string) => text.replaceAll("|", "\\|");
  const header = `| ${table.headers.map(escapePipes).join(" | ")} |`;
  const rule = `|${table.headers.map(() => "---").join("|")}|`;
  const rows = table.rows.map(
    (row) => `| ${row.map((c) => escapePipes(cellText(c))).join(" | ")} |`,
  );
  return [header, rule, ...rows].join("\n");
}

export function goalText(goal: Goal): string {
  return `${goal.met ? "met" : "NOT met"}: ${goal.text} (${goal.detail})`;
}
