/** Raw SQL access used where Prisma does not fit: migrations, LISTEN/NOTIFY and benchmarks. */
export interface SqlRunner {
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  /** Runs one statement with positional parameters ($1, $2, ...) and returns its rows. */
  query<T = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    options?: QueryOptions,
  ): Promise<T[]>;
}

export interface QueryOptions {
  /**
   * Name under which PostgreSQL keeps the statement prepared on each connection, so that it
   * parses and plans the text once per connection rather than on every run. One name must
   * always go with the same text. PGlite runs the statement unnamed. A pooler that shares
   * server connections between clients per transaction must support protocol-level prepared
   * statements.
   */
  prepareAs?: string;
}

/** A SqlRunner that can also open a transaction on a single connection. */
export interface SqlDatabase extends SqlRunner {
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /**
   * Calls onNotify with the payload of each notification on the channel until the returned
   * function is called. After a lost connection is restored, calls it once with an empty
   * payload, since notifications sent meanwhile are lost.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
}
