/**
 * ServiceNow exports times as `dd-mm-yyyy HH:MM` in the instance's time zone, without saying
 * which. The importer reads them as UTC. Seconds, one-digit days and months, and `/` as the
 * date separator are accepted too.
 */
const SOURCE_TIME = /^(\d{1,2})[-/](\d{1,2})[-/](\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** Parses a ServiceNow time as UTC. Returns null when it is malformed or names no real date. */
export function parseSourceTime(value: string): Date | null {
  const match = SOURCE_TIME.exec(value);
  if (!match) return null;
  const [day = 0, month = 0, year = 0, hour = 0, minute = 0, second = 0] = match
    .slice(1)
    .map((part) => Number(part ?? 0));
  const time = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 31-02 over into March, so a round trip catches such dates.
  const valid =
    time.getUTCFullYear() === year &&
    time.getUTCMonth() === month - 1 &&
    time.getUTCDate() === day &&
    time.getUTCHours() === hour &&
    time.getUTCMinutes() === minute &&
    time.getUTCSeconds() === second;
  return valid ? time : null;
}

/** Formats a time for messages: ISO 8601 in UTC, to the minute when seconds are zero. */
export function formatSourceTime(time: Date): string {
  const iso = time.toISOString();
  return iso.endsWith(":00.000Z") ? `${iso.slice(0, 16)}Z` : `${iso.slice(0, 19)}Z`;
}
