import type { SqlDatabase, SqlRunner } from "../db/sql";
import type { PrismaClient } from "../generated/prisma/client";
import { EVENTS_CHANNEL } from "../incidents/store";
import type { Logger } from "../logger";
import type { EventView } from "./schema";

export interface EventBusOptions {
  /** Interval of the poll that backs up LISTEN/NOTIFY, in milliseconds. */
  pollMs?: number;
  /** Events kept in memory for subscribers that are close behind the head. */
  recentLimit?: number;
  /** Rows read per query, by the bus and by subscribers catching up. */
  pageSize?: number;
}

/**
 * Follows the events table for one server process. Every committing change, from any process,
 * sends a NOTIFY on the events channel. That wakes the bus, which reads the rows after its head,
 * keeps the most recent ones in memory and wakes the subscribers. The table is the source of
 * truth, so a lost notification delays delivery until the next one or the periodic poll, and
 * loses nothing. Event ids are gap-free and assigned in commit order, so "every id up to the head"
 * is complete once the head row is visible.
 */
export class EventBus {
  readonly pageSize: number;
  private readonly pollMs: number;
  private readonly recentLimit: number;
  private head = 0n;
  /** The newest events read, oldest first, ending at the head. */
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
    options: EventBusOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 5_000;
    this.recentLimit = options.recentLimit ?? 2_000;
    this.pageSize = options.pageSize ?? 500;
  }

  async start(): Promise<void> {
    const last = await this.prisma.incidentEvent.findFirst({
      orderBy: { id: "desc" },
      select: { id: true },
    });
    this.head = last?.id ?? 0n;
    this.unlisten = await this.sql.listen(EVENTS_CHANNEL, (payload) => this.notified(payload));
    this.poll = setInterval(() => this.wake(), this.pollMs);
    this.poll.unref();
    // A change that committed after the head was read but before LISTEN took effect sent its
    // notification to no listener of this process. Reading once now delivers it without waiting
    // for the poll.
    this.wake();
    this.log.info({ head: this.head.toString() }, "event bus started");
  }

  /** Id of the newest event this process has read. */
  get headId(): bigint {
    return this.head;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Handles a NOTIFY. A payload, when there is one, is the id of the newest event of the
   * committed transaction. When this process already has that event, nothing is read.
   */
  private notified(payload: string): void {
    if (!/^\d+$/.test(payload)) {
      this.wake();
      return;
    }
    const last = BigInt(payload);
    if (last <= this.head) return;
    // The notification of this process's own commit often arrives just before the result of
    // the statement that offers the events. Checking again after I/O saves reading them.
    setImmediate(() => {
      if (last > this.head) this.wake();
    });
  }

  /**
   * Takes events that this process has just committed, so that its subscribers get them
   * without a read. They are taken only when they follow the head without a gap. Event ids are
   * given in commit order, so every earlier id is then known to be in. Otherwise the NOTIFY of
   * their commit makes the bus read them from the table.
   */
  offer(events: EventView[]): void {
    const first = events[0];
    if (this.closed || !first || first.id !== this.head + 1n) return;
    this.append(events);
  }

  private append(events: EventView[]): void {
    this.recent.push(...events);
    if (this.recent.length > this.recentLimit) {
      this.recent.splice(0, this.recent.length - this.recentLimit);
    }
    this.head = (events.at(-1) as EventView).id;
    this.notifyWaiters();
  }

  /**
   * Reads new rows now. Called at start, on NOTIFY, on the poll timer and when the LISTEN
   * connection is restored. A call during a read schedules one more read, because the running
   * read may have taken its snapshot before the commit that caused the call.
   */
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
    while (!this.closed) {
      const rows = await readEvents(this.sql, this.head, this.pageSize);
      if (rows.length === 0 || this.closed) return;
      // Events offered while the read ran moved the head, and the rest follow it without a gap.
      const fresh = rows.filter((row) => row.id > this.head);
      if (fresh.length > 0) this.append(fresh);
      if (rows.length < this.pageSize) return;
    }
  }

  private notifyWaiters() {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const resolve of waiters) resolve();
  }

  /**
   * Returns the events after the id from memory when this process still has all of them there,
   * or null when the caller must read them from the table. Returns an empty list for an id at
   * or past the head.
   */
  recentAfter(after: bigint): EventView[] | null {
    if (after >= this.head) return [];
    const first = this.recent[0];
    if (!first || first.id > after + 1n) return null;
    return this.recent.slice(indexAfter(this.recent, after));
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

  /** Number of subscribers waiting for the next event; for tests and metrics. */
  get waiterCount(): number {
    return this.waiters.size;
  }

  /** Stops reading and wakes every waiter; resolves when a read in progress has finished. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.poll) clearInterval(this.poll);
    this.notifyWaiters();
    await this.unlisten?.();
    await this.reading;
  }
}

/**
 * Returns the index of the first event with an id greater than `after`, by binary search over
 * ids in ascending order. A search, not `after - first.id`, so it stays correct if ids had gaps.
 */
function indexAfter(events: EventView[], after: bigint): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((events[middle] as EventView).id <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}

interface EventRow extends Omit<EventView, "id" | "actor"> {
  id: string | number | bigint;
  actorEmail: string;
  actorName: string;
  actorCreatedAt: Date;
}

/**
 * Reads up to `limit` events after the id, oldest first, with their actors. It is plain SQL
 * because every process runs it after each commit of another process or of a change.
 */
export async function readEvents(
  sql: SqlRunner,
  after: bigint,
  limit: number,
): Promise<EventView[]> {
  const rows = await sql.query<EventRow>(
    `SELECT e.id::text AS id, e.incident_id AS "incidentId", e.type,
            e.occurred_at AS "occurredAt", e.recorded_at AS "recordedAt",
            e.actor_id AS "actorId", e.note, e.before, e.after, e.snapshot, e.status,
            e.priority, e.category_id AS "categoryId", e.team_id AS "teamId",
            u.email AS "actorEmail", u.name AS "actorName", u.created_at AS "actorCreatedAt"
       FROM incident_events e JOIN users u ON u.id = e.actor_id
      WHERE e.id > $1 ORDER BY e.id LIMIT $2`,
    [after.toString(), limit],
    { prepareAs: "incident_events_after" },
  );
  return rows.map(({ id, actorEmail, actorName, actorCreatedAt, ...event }) => ({
    ...event,
    id: BigInt(id),
    actor: { id: event.actorId, email: actorEmail, name: actorName, createdAt: actorCreatedAt },
  }));
}
