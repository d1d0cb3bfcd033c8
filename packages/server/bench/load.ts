export interface LoadResult {
  operations: number;
  errors: number;
  firstError: string | null;
  seconds: number;
  opsPerSecond: number;
}

/**
 * Runs `total` operations with `concurrency` of them in flight at any time and returns the
 * throughput. An operation that throws counts as an error and is not retried.
 */
export async function runConcurrent(
  total: number,
  concurrency: number,
  operation: (index: number) => Promise<unknown>,
): Promise<LoadResult> {
  let next = 0;
  let errors = 0;
  let firstError: string | null = null;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      try {
        await operation(index);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { operations: total, errors, firstError, seconds, opsPerSecond: total / seconds };
}

/** Runs operations one after another and returns each one's latency in milliseconds. */
export async function timeSequential(
  count: number,
  operation: (index: number) => Promise<unknown>,
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await operation(i);
    latencies.push(performance.now() - started);
  }
  return latencies;
}
