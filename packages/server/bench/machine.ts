import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { serverVersion } from "./database";

export interface Machine {
  cpus: string;
  cpuModel: string;
  memory: string;
  node: string;
  postgres: string;
  openFiles: string;
  load: string;
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8" }).trim();
  } catch (error) {
    return `unavailable (${error instanceof Error ? error.message.split("\n")[0] : error})`;
  }
}

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    return line?.split(":")[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Describes the machine from nproc, free -h, /proc/cpuinfo, node and the PostgreSQL server. */
export async function describeMachine(adminUrl: string): Promise<Machine> {
  const memoryLine = run("free", ["-h"])
    .split("\n")
    .find((line) => line.startsWith("Mem:"));
  const [total, used] = memoryLine?.split(/\s+/).slice(1, 3) ?? [];
  return {
    cpus: run("nproc", []),
    cpuModel: cpuModel(),
    memory: total ? `${total} total, ${used} used at start (free -h)` : "unknown",
    node: process.version,
    postgres: await serverVersion(adminUrl),
    openFiles: run("sh", ["-c", "echo soft $(ulimit -n), hard $(ulimit -Hn)"]),
    load: readLoad(),
  };
}

/** Returns the 1, 5 and 15 minute load averages from /proc/loadavg. */
export function readLoad(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

/** CPU time (user + system) that a process has used, in seconds, from /proc/PID/stat. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / clockTicksPerSecond();
  } catch {
    return Number.NaN;
  }
}

let ticksPerSecond: number | null = null;

function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(run("getconf", ["CLK_TCK"])) || 100;
  return ticksPerSecond;
}

/** Resident memory of a process in MiB, from /proc/PID/status. */
export function residentMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmRSS:"));
    return Number(line?.split(/\s+/)[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}
