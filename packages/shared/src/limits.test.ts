import { describe, expect, it } from "vitest";
import { characterCount, checkOccurredAt, checkText, DEFAULT_LIMITS } from "./limits";
import { expectOk, expectViolation } from "./test-support";

describe("characterCount", () => {
  it("emoji is one character", () => {
    // U+1F44D is one code point but two UTF-16 code units.
    expect("👍".length).toBe(2);
    expect(characterCount("👍")).toBe(1);
  });

  it("mixed text counts code points", () => {
    expect(characterCount("a👍é")).toBe(3);
  });

  it("joined emoji counts each part", () => {
    // Man, ZWJ, woman, ZWJ, girl: five code points in one visible glyph.
    expect(characterCount("👨‍👩‍👧")).toBe(5);
  });
});

describe("checkText", () => {
  it("returns trimmed text", () => {
    expect(expectOk(checkText("title", "  disk full \n", 20))).toBe("disk full");
  });

  it.each([
    ["empty", ""],
    ["whitespace", " \t\n "],
  ])("required %s text fails", (_label, value) => {
    const violation = expectViolation(checkText("title", value, 20, { required: true }));

    expect(violation.code).toBe("VALIDATION_FAILED");
    expect(violation.field).toBe("title");
    expect(violation.message).toContain("title");
  });

  it("optional blank text passes", () => {
    expect(expectOk(checkText("description", "   ", 20))).toBe("");
  });

  it("exactly at limit passes", () => {
    const title = "a".repeat(DEFAULT_LIMITS.title);

    expect(expectOk(checkText("title", title, DEFAULT_LIMITS.title))).toBe(title);
  });

  it("one over limit fails", () => {
    const violation = expectViolation(
      checkText("title", "a".repeat(DEFAULT_LIMITS.title + 1), DEFAULT_LIMITS.title),
    );

    expect(violation.code).toBe("VALIDATION_FAILED");
    expect(violation.field).toBe("title");
    expect(violation.message).toContain("title");
    expect(violation.message).toContain(String(DEFAULT_LIMITS.title));
  });

  it("emoji at limit passes", () => {
    // Three emoji are six UTF-16 code units but three characters.
    expect(expectOk(checkText("title", "🔥🔥🔥", 3))).toBe("🔥🔥🔥");
  });

  it("emoji over limit fails", () => {
    const violation = expectViolation(checkText("title", "🔥🔥🔥🔥", 3));

    expect(violation.message).toContain("3");
  });

  it("padding does not count", () => {
    const padded = `  ${"a".repeat(10)}  `;

    expect(expectOk(checkText("title", padded, 10))).toBe("a".repeat(10));
  });

  it("description default is 2000", () => {
    expect(DEFAULT_LIMITS.description).toBe(2000);
  });
});

describe("checkOccurredAt", () => {
  const now = new Date("2025-03-01T12:00:00.000Z");
  const previous = new Date("2025-03-01T11:00:00.000Z");

  it("future time fails", () => {
    const future = new Date(now.getTime() + 1);
    const violation = expectViolation(checkOccurredAt(future, now, previous));

    expect(violation.code).toBe("VALIDATION_FAILED");
    expect(violation.field).toBe("occurredAt");
    expect(violation.message).toContain("future");
  });

  it("now is accepted", () => {
    expect(expectOk(checkOccurredAt(now, now, previous))).toEqual(now);
  });

  it("before previous event fails", () => {
    const early = new Date(previous.getTime() - 1);
    const violation = expectViolation(checkOccurredAt(early, now, previous));

    expect(violation.code).toBe("VALIDATION_FAILED");
    expect(violation.field).toBe("occurredAt");
    expect(violation.message).toContain(previous.toISOString());
  });

  it("equal to previous event passes", () => {
    expect(expectOk(checkOccurredAt(new Date(previous), now, previous))).toEqual(previous);
  });

  it("no previous event allows past", () => {
    const past = new Date("2020-01-01T00:00:00.000Z");

    expect(expectOk(checkOccurredAt(past, now, null))).toEqual(past);
  });

  it.each([
    ["null", null],
    ["undefined", undefined],
  ])("%s defaults to now", (_label, occurredAt) => {
    expect(expectOk(checkOccurredAt(occurredAt, now, previous))).toEqual(now);
  });

  it("invalid date fails", () => {
    const violation = expectViolation(checkOccurredAt(new Date("not a date"), now, previous));

    expect(violation.code).toBe("VALIDATION_FAILED");
    expect(violation.field).toBe("occurredAt");
  });

  it("custom field name is used", () => {
    const future = new Date(now.getTime() + 1000);
    const violation = expectViolation(checkOccurredAt(future, now, null, "detectedAt"));

    expect(violation.field).toBe("detectedAt");
    expect(violation.message).toContain("detectedAt");
  });
});

describe("checkText control characters", () => {
  it("rejects NUL in any text", () => {
    const violation = expectViolation(checkText("body", "a\u0000b", 100));
    expect(violation.field).toBe("body");
    expect(violation.message).toContain("U+0000");
  });

  it("accepts line breaks in multi-line text", () => {
    expect(expectOk(checkText("description", "line 1\nline 2", 100))).toBe("line 1\nline 2");
  });

  it("rejects line breaks in single-line text", () => {
    const violation = expectViolation(checkText("title", "a\nb", 100, { singleLine: true }));
    expect(violation.message).toContain("line breaks");
    expect(violation.message).toContain("U+000A");
  });

  it("rejects unpaired surrogates", () => {
    const high = expectViolation(checkText("title", "disk \ud800 full", 100));
    expect(high.field).toBe("title");
    expect(high.message).toContain("unpaired surrogate U+D800 at position 5");
    const low = expectViolation(checkText("description", "x\udfff", 100));
    expect(low.message).toContain("U+DFFF");
    expect(expectViolation(checkText("body", "\udfff\ud83d", 100)).message).toContain("U+DFFF");
  });

  it("accepts surrogate pairs", () => {
    expect(expectOk(checkText("title", "pager \ud83d\udcdf down", 100))).toBe("pager 📟 down");
  });

  it("rejects bidirectional overrides in single-line text", () => {
    const violation = expectViolation(
      checkText("title", "abc\u202Edef", 100, { singleLine: true }),
    );
    expect(violation.message).toContain("U+202E");
  });
});
