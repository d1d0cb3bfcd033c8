/** Prefix of human incident keys such as INC-42. */
export const INCIDENT_KEY_PREFIX = "INC-";

/** Formats an incident number as its key. */
export function formatIncidentKey(number: number): string {
  return `${INCIDENT_KEY_PREFIX}${number}`;
}

/** Parses a key such as INC-42 (case-insensitive) into its number, or null when malformed. */
export function parseIncidentKey(key: string): number | null {
  const match = /^INC-([1-9][0-9]{0,9})$/i.exec(key.trim());
  if (!match) return null;
  const number = Number(match[1]);
  return Number.isSafeInteger(number) && number <= 2_147_483_647 ? number : null;
}
