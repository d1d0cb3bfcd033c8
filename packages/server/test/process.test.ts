import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirLockedError, lockDataDir } from "../src/db/lock";

const SERVER_ROOT = fileURLToPath(new URL("..", import.meta.url));
const LOCK_FILE = "incident-service.lock";

interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  url: Promise<string>;
  exited: Promise<number | null>;
}

/** Starts `tsx src/main.ts` as a separate process on a free port. */
function spawnServer(dataDir: string): ServerProcess {
  // Node itself, not a pnpm or tsx wrapper, so signals reach the server process.
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: SERVER_ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      DATABASE_URL: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) resolve(match[1] as string);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", () => reject(new Error(`server exited before listening:\n${output}`)));
  });
  url.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return { child, output: () => output, url, exited };
}

const started: ChildProcess[] = [];
const folders: string[] = [];

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "incident-lock-"));
  folders.push(dir);
  return dir;
}

afterEach(() => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("data folder lock", () => {
  it("stops a second process naming the holder", async () => {
    const dir = dataDir();
    const first = spawnServer(dir);
    started.push(first.child);
    await first.url;

    const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as { pid: number };
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`${dir}.*process ${owner.pid}`));

    const second = spawnServer(dir);
    started.push(second.child);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`data folder ${dir} is in use by process ${owner.pid}`);

    // The first server still serves.
    const health = await fetch(`${await first.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it("takes over the lock of a killed process", async () => {
    const dir = dataDir();
    const first = spawnServer(dir);
    started.push(first.child);
    const url = await first.url;
    const created = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `mutation { createIncident(input: { title: "Mail down" }) { key } }`,
      }),
    });
    expect(created.status).toBe(200);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);

    const second = spawnServer(dir);
    started.push(second.child);
    const secondUrl = await second.url;
    const response = await fetch(`${secondUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ incident(key: "INC-1") { title } }` }),
    });
    expect(await response.json()).toEqual({ data: { incident: { title: "Mail down" } } });
  });

  it("treats a reused process id as stale", () => {
    const dir = dataDir();
    // This test's own pid with another start time: the process that wrote it is gone.
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({
        pid: process.pid,
        hostname: hostname(),
        processStart: "1",
        acquiredAt: "2020-01-01T00:00:00Z",
        command: "old",
      }),
    );
    const lock = lockDataDir(dir);
    const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as {
      processStart: string;
    };
    expect(owner.processStart).not.toBe("1");
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it("shuts down on SIGTERM and releases the lock", async () => {
    const dir = dataDir();
    const server = spawnServer(dir);
    started.push(server.child);
    await server.url;
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});
