import type { Machine } from "./machine";
import type { BenchOptions } from "./options";
import { markdownTable, type Section } from "./report";

export interface PageInput {
  options: BenchOptions;
  machine: Machine;
  startedAt: Date;
  seconds: number;
  loadAtEnd: string;
  sections: Section[];
}

const QUICK_NOTE = "; a quick smoke run with small counts, not a measurement";

function command(): string {
  const args = process.argv.slice(2).filter((arg) => arg !== "--");
  return args.length > 0 ? `pnpm bench -- ${args.join(" ")}` : "pnpm bench";
}

/** Renders the benchmark record: the run, the machine, the goals, then each section. */
export function renderMarkdown(input: PageInput): string {
  const { machine, options, sections } = input;
  const goals = sections.flatMap((section) =>
    section.goals.map((goal) => [
      section.title,
      goal.text,
      goal.met ? "met" : "**not met**",
      goal.detail,
    ]),
  );
  const parts = [
    "# Benchmarks",
    "",
    "Figures from one run of the benchmark suite in `packages/server/bench`, on one shared, " +
      "noisy machine: other work ran on it at the same time, so absolute numbers move from run " +
      "to run. Each figure sits next to a baseline measured in the same run, interleaved with " +
      "it, and the ratios are the figures to compare. Medians are over repeated rounds.",
    "",
    `- Command: \`${command()}\` (from the repository root)${options.quick ? QUICK_NOTE : ""}`,
    `- Date: ${input.startedAt.toISOString()}, ${input.seconds.toFixed(0)} s in all`,
    `- CPUs: ${machine.cpus} (nproc), ${machine.cpuModel}`,
    `- Memory: ${machine.memory}`,
    `- Node.js ${machine.node}; ${machine.postgres}`,
    `- Open files: ${machine.openFiles} (ulimit -n)`,
    `- Load average (1, 5, 15 min): ${machine.load} at the start, ${input.loadAtEnd} at the end`,
    "",
    "`pnpm bench` from the repository root writes this page; `pnpm bench -- --quick` is a " +
      "short smoke run that writes its page to a temporary file, and `pnpm bench -- --help` " +
      "lists the options. The suite needs the PostgreSQL server on 127.0.0.1:5432 (user " +
      "postgres, trust authentication). The server under test runs in a child process (`bench/server-process.ts` starts " +
      "`startServer` from `src/app.ts` with `DATABASE_URL` set) on a fresh PostgreSQL database " +
      "on loopback; every database is dropped at the end of the run.",
    "",
    "## Goals",
    "",
    goals.length > 0
      ? markdownTable({ headers: ["benchmark", "goal", "verdict", "figures"], rows: goals })
      : "No goal was measured in this run.",
  ];
  for (const section of sections) {
    parts.push("", `## ${section.title}`, "", section.intro, "");
    for (const table of section.tables) parts.push(markdownTable(table), "");
    if (section.details) parts.push(section.details);
  }
  return `${parts.join("\n").trimEnd()}\n`;
}
