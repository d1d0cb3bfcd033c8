import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIncidentKey, parseIncidentKey } from "./keys";

const MAX_INT4 = 2_147_483_647;

describe("formatIncidentKey", () => {
  it("formats INC-1", () => {
    expect(formatIncidentKey(1)).toBe("INC-1");
  });

  it("formats INC-42", () => {
    expect(formatIncidentKey(42)).toBe("INC-42");
  });
});

describe("parseIncidentKey", () => {
  it("parses INC-1", () => {
    expect(parseIncidentKey("INC-1")).toBe(1);
  });

  it("accepts lower case", () => {
    expect(parseIncidentKey("inc-42")).toBe(42);
  });

  it("ignores surrounding whitespace", () => {
    expect(parseIncidentKey("  INC-7\n")).toBe(7);
  });

  it("accepts largest int4 number", () => {
    expect(parseIncidentKey(`INC-${MAX_INT4}`)).toBe(MAX_INT4);
  });

  it.each([
    "INC-0",
    "INC-01",
    "INC-",
    "INC",
    "",
    "garbage",
    "42",
    "INC-abc",
    "INC--1",
    "INC-+1",
    "INC-1.5",
    "INC-1e3",
    "INC- 1",
    "INC-1x",
    "XINC-1",
    "INC_1",
    "INC-１",
  ])("rejects %j", (key) => {
    expect(parseIncidentKey(key)).toBeNull();
  });

  it.each([
    `INC-${MAX_INT4 + 1}`,
    "INC-9999999999",
    "INC-99999999999",
    "INC-123456789012345678901234567890",
  ])("rejects huge %s", (key) => {
    expect(parseIncidentKey(key)).toBeNull();
  });

  it("round-trips formatted keys", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_INT4 }), (number) => {
        expect(parseIncidentKey(formatIncidentKey(number))).toBe(number);
      }),
    );
  });
});
