import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { fileURLToPath } from "node:url";

/** Folder of the server package; child processes run there so `--import tsx` resolves. */
export const SERVER_DIR = fileURLToPath(new URL("..", import.meta.url));

export interface FileLimits {
  soft: number;
  hard: number;
}

/** Reads this process's open-file limits; children inherit them. */
export function fileLimits(): FileLimits {
  const output = execFileSync("sh", ["-c", "ulimit -n; ulimit -Hn"], { encoding: "utf8" });
  const [soft, hard] = output
    .trim()
    .split("\n")
    .map((line) => (line.trim() === "unlimited" ? Number.POSITIVE_INFINITY : Number(line)));
  return { soft: soft ?? 0, hard: hard ?? 0 };
}

export interface ChildOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Open files the child needs; raises its soft limit up to the hard limit when needed. */
  files?: number;
  /** File that receives the child's stdout and stderr. */
  logFile: string;
  /** Node.js options placed before the script, such as --cpu-prof. */
  nodeFlags?: string[];
}

/** A TypeScript child process with a typed IPC channel. */
export class Child<Request, Reply extends { type: string }> {
  private readonly waiting: { type: string; resolve: (reply: Reply) => void }[] = [];
  private readonly log: WriteStream;
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly process: ChildProcess,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: "a" });
    process.stdout?.pipe(this.log, { end: false });
    process.stderr?.pipe(this.log, { end: false });
    process.on("message", (message: Reply) => {
      const index = this.waiting.findIndex((w) => w.type === message.type);
      if (index >= 0) this.waiting.splice(index, 1)[0]?.resolve(message);
    });
    process.on("exit", () => {
      this.exited = true;
    });
  }

  /** Starts `node --import tsx script` with IPC, behind `ulimit -n` when it needs more files. */
  static start<Request, Reply extends { type: string }>(
    name: string,
    script: string,
    options: ChildOptions,
  ): Child<Request, Reply> {
    const nodeArgs = [
      ...(options.nodeFlags ?? []),
      "--import",
      "tsx",
      script,
      ...(options.args ?? []),
    ];
    const limits = fileLimits();
    const needed = options.files ?? 0;
    if (needed > limits.hard) {
      throw new Error(
        `${name} needs ${needed} open files, but the hard limit (ulimit -Hn) is ${limits.hard}; ` +
          "raise it or run with fewer clients (--clients)",
      );
    }
    const common = {
      cwd: SERVER_DIR,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe", "ipc"] as ("ignore" | "pipe" | "ipc")[],
      serialization: "advanced" as const,
    };
    const child =
      needed > limits.soft
        ? spawn(
            "sh",
            ["-c", `ulimit -S -n ${needed} && exec "$0" "$@"`, process.execPath, ...nodeArgs],
            common,
          )
        : spawn(process.execPath, nodeArgs, common);
    return new Child<Request, Reply>(name, child, options.logFile);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  send(message: Request): void {
    this.process.send?.(message as object);
  }

  /** Resolves with the next reply of the type; rejects on a timeout or when the child exits. */
  reply<T extends Reply["type"]>(
    type: T,
    timeoutMs: number,
    failureType?: Reply["type"],
  ): Promise<Extract<Reply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const entries: { type: string; resolve: (reply: Reply) => void }[] = [];
      const done = () => {
        clearTimeout(timer);
        this.process.off("exit", onExit);
        for (const entry of entries) {
          const index = this.waiting.indexOf(entry);
          if (index >= 0) this.waiting.splice(index, 1);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no "${type}" reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`${this.name} exited with code ${code} before replying "${type}"`));
      };
      this.process.once("exit", onExit);
      entries.push({
        type,
        resolve: (reply) => {
          done();
          resolve(reply as Extract<Reply, { type: T }>);
        },
      });
      if (failureType) {
        entries.push({
          type: failureType,
          resolve: (reply) => {
            done();
            reject(new Error(`${this.name} failed: ${JSON.stringify(reply)}`));
          },
        });
      }
      this.waiting.push(...entries);
    });
  }

  /** Sends a request and waits for the reply of the type. */
  async request<T extends Reply["type"]>(
    message: Request,
    type: T,
    timeoutMs: number,
    failureType?: Reply["type"],
  ): Promise<Extract<Reply, { type: T }>> {
    const reply = this.reply(type, timeoutMs, failureType);
    this.send(message);
    return reply;
  }

  /** Asks the child to stop with the message, then kills it by pid after the grace period. */
  async stop(message: Request | null, graceMs = 15_000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once("exit", () => resolve()));
    if (message !== null && this.process.connected) this.send(message);
    else this.process.kill("SIGTERM");
    const timer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
    this.log.end();
  }
}
