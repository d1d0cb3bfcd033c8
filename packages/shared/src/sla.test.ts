import { describe, expect, it } from "vitest";
import type { Priority } from "./domain";
import { DEFAULT_SLA_TARGETS, isSlaBreached } from "./sla";

// Default targets in seconds: acknowledge 5 min, 15 min, 1 h, 4 h, 8 h and
// resolve 4 h, 8 h, 24 h, 72 h, 120 h, from P1 to P5.
const ACKNOWLEDGE_SECONDS: Record<Priority, number> = {
  P1: 300,
  P2: 900,
  P3: 3_600,
  P4: 14_400,
  P5: 28_800,
};
const RESOLVE_SECONDS: Record<Priority, number> = {
  P1: 14_400,
  P2: 28_800,
  P3: 86_400,
  P4: 259_200,
  P5: 432_000,
};

describe("DEFAULT_SLA_TARGETS", () => {
  for (const [priority, seconds] of Object.entries(ACKNOWLEDGE_SECONDS)) {
    it(`acknowledge ${priority} is ${seconds}s`, () => {
      expect(DEFAULT_SLA_TARGETS.acknowledge[priority as Priority]).toBe(seconds);
    });
  }

  for (const [priority, seconds] of Object.entries(RESOLVE_SECONDS)) {
    it(`resolve ${priority} is ${seconds}s`, () => {
      expect(DEFAULT_SLA_TARGETS.resolve[priority as Priority]).toBe(seconds);
    });
  }

  it("covers exactly five priorities", () => {
    expect(Object.keys(DEFAULT_SLA_TARGETS.acknowledge).sort()).toEqual([
      "P1",
      "P2",
      "P3",
      "P4",
      "P5",
    ]);
    expect(Object.keys(DEFAULT_SLA_TARGETS.resolve).sort()).toEqual(["P1", "P2", "P3", "P4", "P5"]);
  });
});

describe("isSlaBreached", () => {
  it("under target is met", () => {
    expect(isSlaBreached(299, 300)).toBe(false);
  });

  it("exactly at target is met", () => {
    expect(isSlaBreached(300, 300)).toBe(false);
  });

  it("one second over breaches", () => {
    expect(isSlaBreached(301, 300)).toBe(true);
  });

  it("fraction over breaches", () => {
    expect(isSlaBreached(300.5, 300)).toBe(true);
  });
});
