import type { ErrorCode, Result, RuleViolation } from "@incident/shared";
import { GraphQLError } from "graphql";

/**
 * An expected failure: bad input, an unknown key, a forbidden transition or a conflict. Yoga
 * passes GraphQLError instances to the client unmasked, with the code and field in
 * `extensions`.
 */
export class DomainError extends GraphQLError {
  constructor(code: ErrorCode, field: string | null, message: string) {
    super(message, { extensions: { code, field } });
  }

  static from(violation: RuleViolation): DomainError {
    return new DomainError(violation.code, violation.field, violation.message);
  }

  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

export function notFound(field: string, what: string, value: string | number): DomainError {
  return new DomainError("NOT_FOUND", field, `${what} ${value} not found`);
}

export function invalid(field: string, message: string): DomainError {
  return new DomainError("VALIDATION_FAILED", field, message);
}

/** Parses an entity id given as a GraphQL ID into a positive integer. */
export function parseId(field: string, value: string | number): number {
  const text = String(value);
  const id = /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id) || id > 2_147_483_647) {
    throw invalid(field, `${field} must be a positive integer id; got "${value}"`);
  }
  return id;
}

/** Returns the value of a rule check, or throws its violation as a DomainError. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw DomainError.from(result.error);
}
