const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** Formats an RFC 3339 date-time in the reader's locale and time zone, or an em dash. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : DATE_TIME.format(date);
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/** Returns the value of a datetime-local input for a date, in local time with seconds. */
export function toLocalInput(date: Date): string {
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${day}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * Converts a datetime-local input value (local time, no offset) to an RFC 3339 date-time in
 * UTC. Returns null for an empty or unreadable value.
 */
export function fromLocalInput(value: string): string | null {
  if (value.trim() === "") return null;
  // ECMAScript reads a date-time form without an offset as local time.
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
