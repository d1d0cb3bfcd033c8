import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { SERVER_DIR } from "./children";

export interface ReadSettings {
  samples: number;
  rounds: number;
  warmup: number;
}

export interface BenchOptions {
  quick: boolean;
  adminUrl: string;
  out: string;
  only: Set<string>;
  create: {
    concurrencies: number[];
    requests: number;
    rounds: number;
    warmupRequests: number;
    connections: number;
  };
  /** Incidents seeded for the list, KPI and subscription benchmarks. */
  incidents: number;
  list: ReadSettings;
  kpis: ReadSettings;
  subscriptions: {
    clients: number;
    changes: number;
    ratePerSecond: number;
    rounds: number;
    slowRound: { changes: number; ratePerSecond: number } | null;
  };
}

export const SECTIONS = ["create", "list", "kpis", "subscriptions"] as const;

const USAGE = `Usage: pnpm bench [-- options]

Runs the benchmarks against a local PostgreSQL server and writes BENCHMARKS.md.

Options:
  --quick              short smoke run with small counts; writes to a temporary file
                       unless --out is given
  --only LIST          comma-separated sections to run: ${SECTIONS.join(", ")}
  --out FILE           Markdown report to write (default: BENCHMARKS.md at the repository
                       root for a full run)
  --admin-url URL      PostgreSQL server on loopback where databases are created and dropped
                       (default: postgresql://postgres@127.0.0.1:5432/postgres)
  --clients N          WebSocket subscribers (default: 1000, quick: 50)
  --rate N             state changes per second in the subscription benchmark (default: 10)
  --help               show this text
`;

/** Invalid command-line input; the message names the option and the expected form. */
export class UsageError extends Error {
  override name = "UsageError";
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new UsageError(`--${name} must be a positive integer; got "${text}"`);
  }
  return value;
}

/** Parses the command line; `pnpm bench -- --quick` passes a literal "--", which is skipped. */
export function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      out: { type: "string" },
      "admin-url": { type: "string" },
      clients: { type: "string" },
      rate: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return null;
  }
  const quick = values.quick ?? false;
  const only = new Set(values.only ? values.only.split(",").map((s) => s.trim()) : SECTIONS);
  for (const name of only) {
    if (!SECTIONS.includes(name as (typeof SECTIONS)[number])) {
      throw new UsageError(
        `--only: unknown section "${name}"; expected some of ${SECTIONS.join(", ")}`,
      );
    }
  }
  const defaultOut = quick
    ? resolve(tmpdir(), "incident-bench-quick.md")
    : resolve(SERVER_DIR, "../../BENCHMARKS.md");
  return {
    quick,
    adminUrl: values["admin-url"] ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    out: resolve(values.out ?? defaultOut),
    only,
    create: quick
      ? { concurrencies: [8, 32], requests: 200, rounds: 2, warmupRequests: 50, connections: 10 }
      : { concurrencies: [8, 32], requests: 1000, rounds: 7, warmupRequests: 200, connections: 10 },
    incidents: quick ? 5_000 : 100_000,
    list: quick ? { samples: 10, rounds: 2, warmup: 5 } : { samples: 40, rounds: 5, warmup: 20 },
    kpis: quick ? { samples: 5, rounds: 2, warmup: 2 } : { samples: 6, rounds: 5, warmup: 3 },
    subscriptions: {
      clients: positive("clients", values.clients, quick ? 50 : 1000),
      changes: quick ? 20 : 200,
      ratePerSecond: positive("rate", values.rate, 10),
      rounds: quick ? 1 : 3,
      slowRound: quick ? null : { changes: 40, ratePerSecond: 2 },
    },
  };
}
