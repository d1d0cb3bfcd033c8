import { assert } from "vitest";
import type { Result, RuleViolation } from "./domain";

/** Returns the value of an ok result, or fails the test with the violation's code and message. */
export function expectOk<T>(result: Result<T>): T {
  if (!result.ok) {
    assert.fail(
      `expected ok, got ${result.error.code} on ${result.error.field}: ${result.error.message}`,
    );
  }
  return result.value;
}

/** Returns the violation of a failed result, or fails the test when the result is ok. */
export function expectViolation<T>(result: Result<T>): RuleViolation {
  if (result.ok) {
    assert.fail(`expected a violation, got ok: ${JSON.stringify(result.value)}`);
  }
  return result.error;
}
