const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Formats a duration in seconds for a reader, with its two largest units: "45s", "12m 5s",
 * "3h 20m", "2d 4h". Rounds to whole seconds. Null and non-finite values become an em dash.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "—";

  const sign = seconds < 0 ? "-" : "";
  const total = Math.round(Math.abs(seconds));
  if (total < MINUTE) return `${sign}${total}s`;

  const units: [number, string][] = [
    [Math.floor(total / DAY), "d"],
    [Math.floor((total % DAY) / HOUR), "h"],
    [Math.floor((total % HOUR) / MINUTE), "m"],
    [total % MINUTE, "s"],
  ];
  const first = units.findIndex(([value]) => value > 0);
  const shown = units.slice(first, first + 2).filter(([value]) => value > 0);
  return sign + shown.map(([value, unit]) => `${value}${unit}`).join(" ");
}

/** Formats a ratio between 0 and 1 as a percentage with one decimal, or an em dash. */
export function formatRate(rate: number | null | undefined): string {
  if (rate == null || !Number.isFinite(rate)) return "—";
  return `${(rate * 100).toFixed(1)}%`;
}
