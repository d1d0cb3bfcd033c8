import { describe, expect, it } from "vitest";
import type { Level, Priority } from "./domain";
import { decidePriority, priorityFor } from "./priority";
import { expectOk, expectViolation } from "./test-support";

// The ITIL impact x urgency matrix, written out cell by cell.
const MATRIX: readonly (readonly [Level, Level, Priority])[] = [
  ["HIGH", "HIGH", "P1"],
  ["HIGH", "MEDIUM", "P2"],
  ["HIGH", "LOW", "P3"],
  ["MEDIUM", "HIGH", "P2"],
  ["MEDIUM", "MEDIUM", "P3"],
  ["MEDIUM", "LOW", "P4"],
  ["LOW", "HIGH", "P3"],
  ["LOW", "MEDIUM", "P4"],
  ["LOW", "LOW", "P5"],
];

describe("priorityFor", () => {
  for (const [impact, urgency, priority] of MATRIX) {
    it(`${impact} impact, ${urgency} urgency is ${priority}`, () => {
      expect(priorityFor(impact, urgency)).toBe(priority);
    });
  }
});

describe("decidePriority", () => {
  it("no override uses matrix", () => {
    const decision = expectOk(decidePriority({ impact: "MEDIUM", urgency: "LOW" }));

    expect(decision).toEqual({
      impact: "MEDIUM",
      urgency: "LOW",
      priority: "P4",
      overridden: false,
      overrideReason: null,
    });
  });

  it("override equal to matrix", () => {
    const decision = expectOk(
      decidePriority({ impact: "HIGH", urgency: "HIGH", priorityOverride: "P1" }),
    );

    expect(decision).toEqual({
      impact: "HIGH",
      urgency: "HIGH",
      priority: "P1",
      overridden: false,
      overrideReason: null,
    });
  });

  it("matrix override drops reason", () => {
    const decision = expectOk(
      decidePriority({
        impact: "HIGH",
        urgency: "HIGH",
        priorityOverride: "P1",
        overrideReason: "customer escalation",
      }),
    );

    expect(decision.overridden).toBe(false);
    expect(decision.overrideReason).toBeNull();
  });

  it("differing override with reason", () => {
    const decision = expectOk(
      decidePriority({
        impact: "LOW",
        urgency: "LOW",
        priorityOverride: "P2",
        overrideReason: "  CEO cannot send mail  ",
      }),
    );

    expect(decision).toEqual({
      impact: "LOW",
      urgency: "LOW",
      priority: "P2",
      overridden: true,
      overrideReason: "CEO cannot send mail",
    });
  });

  it.each([
    ["missing", undefined],
    ["null", null],
    ["empty", ""],
    ["whitespace", " \t "],
  ] as const)("differing override, %s reason", (_label, overrideReason) => {
    const violation = expectViolation(
      decidePriority({ impact: "LOW", urgency: "LOW", priorityOverride: "P2", overrideReason }),
    );

    expect(violation.code).toBe("VALIDATION_FAILED");
    expect(violation.field).toBe("overrideReason");
    expect(violation.message).toContain("P5");
    expect(violation.message).toContain("P2");
  });

  it.each([
    ["missing", undefined],
    ["null", null],
  ] as const)("reason with %s override fails", (_label, priorityOverride) => {
    const violation = expectViolation(
      decidePriority({
        impact: "LOW",
        urgency: "LOW",
        priorityOverride,
        overrideReason: "feels urgent",
      }),
    );

    expect(violation.code).toBe("VALIDATION_FAILED");
    expect(violation.field).toBe("overrideReason");
  });

  it("blank reason without override", () => {
    const decision = expectOk(
      decidePriority({ impact: "LOW", urgency: "LOW", overrideReason: "   " }),
    );

    expect(decision.priority).toBe("P5");
    expect(decision.overrideReason).toBeNull();
  });
});
