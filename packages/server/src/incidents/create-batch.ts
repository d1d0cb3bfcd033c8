import type { PrismaClient } from "../generated/prisma/client";
import type { Tx } from "./store";

type Work<T> = (tx: Tx) => Promise<T>;

interface Pending {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Maximum creates committed in one transaction; it bounds the wait of the last one. */
const MAX_BATCH = 50;

/** Interactive transactions wait for a connection and for row locks under contention. */
export const TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 };

/**
 * Group commit for incident creates. Gap-free keys make every create hold the incident counter
 * row from its number to its commit, so creates run one at a time whatever the connection
 * count, each waiting for its own commit to reach the disk. Here creates that arrive while one
 * runs wait and then share one transaction and one commit. When any of them fails, the whole
 * batch is rolled back and each create is run alone, so only the failing one fails and the
 * numbers stay gap-free.
 */
export class CreateBatcher {
  private queue: Pending[] = [];
  private draining = false;

  constructor(private readonly prisma: PrismaClient) {}

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        if (batch.length === 1) {
          await this.runAlone(batch[0] as Pending);
        } else {
          await this.runTogether(batch);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async runAlone(item: Pending): Promise<void> {
    try {
      item.resolve(await this.prisma.$transaction((tx) => item.work(tx), TX_OPTIONS));
    } catch (error) {
      item.reject(error);
    }
  }

  private async runTogether(batch: Pending[]): Promise<void> {
    let results: unknown[];
    try {
      results = await this.prisma.$transaction(async (tx) => {
        const values: unknown[] = [];
        for (const item of batch) values.push(await item.work(tx));
        return values;
      }, TX_OPTIONS);
    } catch {
      for (const item of batch) await this.runAlone(item);
      return;
    }
    for (const [index, item] of batch.entries()) item.resolve(results[index]);
  }
}

const batchers = new WeakMap<PrismaClient, CreateBatcher>();

/** Returns the batcher of a Prisma client; one per client, so one per database and process. */
export function createBatcher(prisma: PrismaClient): CreateBatcher {
  let batcher = batchers.get(prisma);
  if (!batcher) {
    batcher = new CreateBatcher(prisma);
    batchers.set(prisma, batcher);
  }
  return batcher;
}
