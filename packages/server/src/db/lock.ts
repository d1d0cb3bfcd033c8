import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

/** Contents of a lock file: who holds the data folder. */
interface LockOwner {
  pid: number;
  hostname: string;
  /** Process start time from /proc, so a reused process id is not mistaken for the owner. */
  processStart: string | null;
  acquiredAt: string;
  command: string;
}

/** Error raised when another live process has locked the data folder. */
export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
}

const LOCK_FILE = "incident-service.lock";
const TAKEOVER_DIR = "incident-service.lock.takeover";
/** A takeover guard older than this was left by a process that died while taking over. */
const TAKEOVER_STALE_MS = 30_000;

function processStartTime(pid: number): string | null {
  try {
    // Field 22 of /proc/PID/stat is the start time in clock ticks since boot. The command name
    // in field 2 may contain spaces, so count fields after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) {
    // NOTE: a lock written on another host (a shared network folder) cannot be checked from
    // here, so it is treated as held.
    return true;
  }
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const start = processStartTime(owner.pid);
  return owner.processStart === null || start === null || start === owner.processStart;
}

function readOwner(path: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockOwner;
  } catch {
    return null;
  }
}

function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Runs fn while holding a directory used as a mutex among processes that take over a lock. */
function withTakeoverGuard<T>(dir: string, fn: () => T): T | null {
  const guard = join(dir, TAKEOVER_DIR);
  try {
    mkdirSync(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const age = Date.now() - statSync(guard).mtimeMs;
    if (age < TAKEOVER_STALE_MS) return null;
    rmdirSync(guard);
    return withTakeoverGuard(dir, fn);
  }
  try {
    return fn();
  } finally {
    rmdirSync(guard);
  }
}

function isFresh(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < 5_000;
  } catch {
    return false;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface DataDirLock {
  path: string;
  release(): void;
}

function describe(owner: LockOwner | null): string {
  if (owner === null) return "an unknown process";
  return `process ${owner.pid} on ${owner.hostname} (${owner.command}), since ${owner.acquiredAt}`;
}

/**
 * Takes an exclusive lock on the data folder, creating the folder when needed. PGlite does not
 * lock its files, and two processes writing one folder lose rows without an error, so every
 * process that opens the folder must hold this lock. A lock whose process is gone is taken
 * over. Raises DataDirLockedError naming the folder and the holder when a live process has it.
 */
export function lockDataDir(dir: string, command = process.argv.slice(1).join(" ")): DataDirLock {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    processStart: processStartTime(process.pid),
    acquiredAt: new Date().toISOString(),
    command,
  };

  for (let attempt = 0; attempt < 50; attempt++) {
    if (tryCreate(path, owner)) return lockHandle(path);

    const holder = readOwner(path);
    if (holder === null && isFresh(path)) {
      // Another process has created the file and is writing its owner record.
      sleep(50);
      continue;
    }
    if (holder !== null && isAlive(holder)) {
      throw new DataDirLockedError(
        `data folder ${dir} is in use by ${describe(holder)}; stop that process or set DATA_DIR to another folder`,
      );
    }
    // The holder is gone. Only one process may remove its lock, or two could each remove the
    // other's fresh lock and both proceed.
    const taken = withTakeoverGuard(dir, () => {
      const current = readOwner(path);
      if (current === null ? isFresh(path) : isAlive(current)) return false;
      unlinkSync(path);
      return tryCreate(path, owner);
    });
    if (taken) return lockHandle(path);
  }
  throw new DataDirLockedError(
    `data folder ${dir} is locked by ${describe(readOwner(path))} and the lock could not be taken over`,
  );
}

function lockHandle(path: string): DataDirLock {
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      const current = readOwner(path);
      if (current?.pid === process.pid) unlinkSync(path);
    },
  };
}
