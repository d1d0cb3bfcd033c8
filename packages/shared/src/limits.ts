import { fail, ok, type Result } from "./domain";

/** Input limits, in characters (Unicode code points). */
export interface InputLimits {
  title: number;
  description: number;
  /** Reasons, resolution summaries and comment bodies. */
  text: number;
  name: number;
}

/** Default limits. The description limit keeps the log tidy; longer material goes into comments. */
export const DEFAULT_LIMITS: InputLimits = {
  title: 120,
  description: 2000,
  text: 10_000,
  name: 80,
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: these patterns detect control characters.
const TEXT_FORBIDDEN = /\u0000/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these patterns detect control characters.
const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001f\u007f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** A UTF-16 surrogate without its pair. It is no Unicode character, and UTF-8 cannot encode it. */
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Counts code points, so an emoji counts as one character as a reader sees it. */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/**
 * Checks a text input against a maximum length and, when required, against being blank.
 * Returns the trimmed text.
 */
export function checkText(
  field: string,
  value: string,
  max: number,
  options: { required?: boolean; singleLine?: boolean } = {},
): Result<string> {
  const text = value.trim();
  if (options.required && text === "") {
    return fail("VALIDATION_FAILED", field, `${field} must not be blank`);
  }
  // PostgreSQL text cannot store U+0000, and a single-line field such as a title or a name
  // has no use for line breaks or other control characters.
  const forbidden = options.singleLine ? SINGLE_LINE_FORBIDDEN : TEXT_FORBIDDEN;
  const match = forbidden.exec(text);
  if (match) {
    const code = (match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
    const rule = options.singleLine ? "control characters or line breaks" : "NUL characters";
    return fail("VALIDATION_FAILED", field, `${field} must not contain ${rule}; found U+${code}`);
  }
  const unpaired = UNPAIRED_SURROGATE.exec(text);
  if (unpaired) {
    const code = unpaired[0].charCodeAt(0).toString(16).toUpperCase();
    return fail(
      "VALIDATION_FAILED",
      field,
      `${field} must be valid Unicode text; found an unpaired surrogate U+${code} at position ${unpaired.index}`,
    );
  }
  const length = characterCount(text);
  if (length > max) {
    return fail(
      "VALIDATION_FAILED",
      field,
      `${field} must be at most ${max} characters; got ${length}`,
    );
  }
  return ok(text);
}

/**
 * Checks the time an action really happened: not in the future and not before the
 * incident's previous event. Returns the time to record.
 */
export function checkOccurredAt(
  occurredAt: Date | null | undefined,
  now: Date,
  previousEventAt: Date | null,
  field = "occurredAt",
): Result<Date> {
  const at = occurredAt ?? now;
  if (Number.isNaN(at.getTime())) {
    return fail("VALIDATION_FAILED", field, `${field} is not a valid date-time`);
  }
  if (at.getTime() > now.getTime()) {
    return fail(
      "VALIDATION_FAILED",
      field,
      `${field} must not be in the future; got ${at.toISOString()}, now is ${now.toISOString()}`,
    );
  }
  if (previousEventAt !== null && at.getTime() < previousEventAt.getTime()) {
    return fail(
      "VALIDATION_FAILED",
      field,
      `${field} must not be before the incident's previous event at ${previousEventAt.toISOString()}; got ${at.toISOString()}`,
    );
  }
  return ok(at);
}
