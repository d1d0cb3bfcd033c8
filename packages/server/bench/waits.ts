import pg from "pg";

export interface WaitSample {
  /** Mean number of backends of the database that were running a statement. */
  active: number;
  /** Mean number waiting for a lock, such as a row lock another transaction holds. */
  lock: number;
  /** Mean number waiting for the WAL to reach the disk at COMMIT. */
  wal: number;
}

const SAMPLE_SQL = `
  SELECT count(*) FILTER (WHERE state = 'active')::int AS active,
    count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS lock,
    count(*) FILTER (WHERE wait_event IN ('WALSync', 'WALWrite', 'WalSync', 'WalWrite'))::int AS wal
  FROM pg_stat_activity
  WHERE datname = current_database() AND pid <> pg_backend_pid()`;

/**
 * Samples pg_stat_activity of one database every `intervalMs` on its own connection while fn
 * runs, and returns fn's result with the mean counts of busy and waiting backends.
 */
export async function sampleWaits<T>(
  databaseUrl: string,
  intervalMs: number,
  fn: () => Promise<T>,
): Promise<{ result: T; waits: WaitSample }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const totals = { active: 0, lock: 0, wal: 0 };
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<WaitSample>(SAMPLE_SQL);
      const row = rows[0];
      if (row) {
        totals.active += row.active;
        totals.lock += row.lock;
        totals.wal += row.wal;
        samples++;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  try {
    const result = await fn();
    return {
      result,
      waits: {
        active: totals.active / Math.max(1, samples),
        lock: totals.lock / Math.max(1, samples),
        wal: totals.wal / Math.max(1, samples),
      },
    };
  } finally {
    running = false;
    await loop.catch(() => undefined);
    await client.end();
  }
}
