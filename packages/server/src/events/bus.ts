import type { SqlDatabase } from "../db/sql";
import type { PrismaClient } from "../generated/prisma/client";
import { EVENTS_CHANNEL } from "../incidents/store";
import type { Logger } from "../logger";
import type { EventView } from "./schema";

/** Events kept in memory for subscribers that are close behind the head. */
const RECENT_LIMIT = 2_000;
/** Rows read per query, for the bus and for subscribers catching up. */
export const PAGE_SIZE = 500;

/**
 * Follows the events table for one server process. A NOTIFY on the events channel (sent by
 * every committing change, from any process) wakes it; it then reads the rows after its head,
 * keeps the most recent ones in memory and wakes the subscribers. The table is the source of
 * truth: a lost notification delays delivery until the next one or the periodic poll, and loses
 * nothing. Event ids are gap-free and assigned in commit order, so "every id up to the head"
 * is complete once the head row is visible.
 */
export class EventBus {
  private head = 0n;
  private recent: EventView[] = [];
  private waiters = new Set<() => void>();
  private reading: Promise<void> | null = null;
  private again = false;
  private unlisten: (() => Promise<void>) | null = null;
  private poll: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlDatabase,
    private readonly log: Logger,
    private readonly pollMs = 5_000,
  ) {}

  async start(): Promise<void> {
    const last = await this.prisma.incidentEvent.findFirst({
      orderBy: { id: "desc" },
      select: { id: true },
    });
    this.head = last?.id ?? 0n;
    this.unlisten = await this.sql.listen(EVENTS_CHANNEL, () => this.wake());
    this.poll = setInterval(() => this.wake(), this.pollMs);
    this.poll.unref();
    this.log.info({ head: this.head.toString() }, "event bus started");
  }

  /** Id of the newest event this process has read. */
  get headId(): bigint {
    return this.head;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Reads new rows now; called on NOTIFY, on the poll timer and after a local commit. */
  wake(): void {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readNew()
      .catch((error) => this.log.error({ err: error }, "reading new events failed"))
      .finally(() => {
        this.reading = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const rows = await readEvents(this.prisma, this.head, PAGE_SIZE);
      if (rows.length === 0) return;
      this.recent.push(...rows);
      if (this.recent.length > RECENT_LIMIT)
        this.recent.splice(0, this.recent.length - RECENT_LIMIT);
      this.head = (rows.at(-1) as EventView).id;
      this.notifyWaiters();
      if (rows.length < PAGE_SIZE) return;
    }
  }

  private notifyWaiters() {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const resolve of waiters) resolve();
  }

  /**
   * Returns the events after the id from memory when this process still holds all of them,
   * or null when the caller must read them from the table.
   */
  recentAfter(after: bigint): EventView[] | null {
    const first = this.recent[0];
    if (after >= this.head) return [];
    if (!first || first.id > after + 1n) return null;
    const start = Number(after - first.id + 1n);
    return this.recent.slice(start);
  }

  /** Resolves when an event after the id arrives, the signal aborts or the bus closes. */
  waitForNewerThan(after: bigint, signal?: AbortSignal): Promise<void> {
    if (this.head > after || this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.poll) clearInterval(this.poll);
    this.notifyWaiters();
    await this.unlisten?.();
    await this.reading;
  }
}

/** Reads up to `limit` events after the id, oldest first. */
export function readEvents(
  prisma: PrismaClient,
  after: bigint,
  limit: number,
): Promise<EventView[]> {
  return prisma.incidentEvent.findMany({
    where: { id: { gt: after } },
    orderBy: { id: "asc" },
    take: limit,
    include: { actor: true },
  });
}
