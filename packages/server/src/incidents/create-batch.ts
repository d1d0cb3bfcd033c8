import type { SqlRunner } from "../db/sql";

/** The result of one request in a batch, which is its value or the error it alone failed with. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * A function that writes a batch of requests atomically and returns one outcome per request,
 * in order. A request rejected by the rules gets a failed outcome and writes nothing. A thrown
 * error means that nothing of the batch was written.
 */
export type BatchWriter<R, T> = (db: SqlRunner, requests: R[]) => Promise<Outcome<T>[]>;

interface Pending<R, T> {
  request: R;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Maximum requests written in one batch, which bounds the wait of the last one. */
const MAX_BATCH = 64;

/**
 * Group commit. Gap-free keys make every create hold the incident counter row from its number
 * to its commit, so creates run one at a time whatever the connection count, each waiting for
 * its own commit to reach the disk. Here requests that arrive while a batch is being written
 * wait and are then written together, with one commit for all of them. When a batch fails,
 * each of its requests is written again alone, so only the one at fault fails and the numbers
 * stay gap-free.
 */
export class Batcher<R, T> {
  private queue: Pending<R, T>[] = [];
  private draining = false;

  constructor(
    private readonly db: SqlRunner,
    private readonly write: BatchWriter<R, T>,
  ) {}

  run(request: R): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      let batch = this.queue.splice(0, MAX_BATCH);
      let written = this.attempt(batch);
      while (batch.length > 0) {
        let outcomes: Outcome<T>[];
        try {
          outcomes = await written;
        } catch (error) {
          await this.retryAlone(batch, error);
          batch = this.queue.splice(0, MAX_BATCH);
          written = this.attempt(batch);
          continue;
        }
        // The next batch starts before this one's results are handed out, so its statement
        // reaches the database before the responses to this batch are built.
        const done = batch;
        batch = this.queue.splice(0, MAX_BATCH);
        written = this.attempt(batch);
        this.settle(done, outcomes);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Writes each request of a failed batch on its own, so that only the one at fault fails. */
  private async retryAlone(batch: Pending<R, T>[], error: unknown): Promise<void> {
    if (batch.length === 1) {
      batch[0]?.reject(error);
      return;
    }
    for (const item of batch) {
      try {
        this.settle([item], await this.attempt([item]));
      } catch (alone) {
        item.reject(alone);
      }
    }
  }

  private attempt(batch: Pending<R, T>[]): Promise<Outcome<T>[]> {
    if (batch.length === 0) return Promise.resolve([]);
    return this.write(
      this.db,
      batch.map((item) => item.request),
    );
  }

  private settle(batch: Pending<R, T>[], outcomes: Outcome<T>[]): void {
    for (const [index, item] of batch.entries()) {
      const outcome = outcomes[index];
      if (!outcome) item.reject(new Error("the batch writer returned no outcome for a request"));
      else if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    }
  }
}
