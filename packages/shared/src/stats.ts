/** Summary of a set of durations in seconds. Empty sets give a count of 0 and null values. */
export interface DurationSummary {
  count: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
}

/**
 * Returns the p-quantile (0 <= p <= 1) of the values by linear interpolation between the
 * closest ranks: the position is p * (n - 1) in the sorted values (Hyndman and Fan type 7,
 * the definition of PostgreSQL's `percentile_cont`, Excel's PERCENTILE.INC and NumPy's
 * default). Returns null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (p < 0 || p > 1 || Number.isNaN(p)) {
    throw new RangeError(`percentile p must be between 0 and 1; got ${p}`);
  }
  if (values.length === 0) return null;

  const sorted = [...values].sort((a, b) => a - b);
  const position = p * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

/** Returns the arithmetic mean, or null for no values. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Returns the median, the 0.5 quantile of {@link percentile}. */
export function median(values: readonly number[]): number | null {
  return percentile(values, 0.5);
}

/** Summarizes durations the way the KPI query does in SQL. */
export function summarizeDurations(values: readonly number[]): DurationSummary {
  return {
    count: values.length,
    mean: mean(values),
    median: median(values),
    p90: percentile(values, 0.9),
  };
}

/** Returns part / whole, or null when the whole is 0. */
export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}
