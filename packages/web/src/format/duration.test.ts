import { describe, expect, it } from "vitest";
import { formatDuration, formatRate } from "./duration";

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [45, "45s"],
    [59.6, "1m"],
    [60, "1m"],
    [725, "12m 5s"],
    [3600, "1h"],
    [12_000, "3h 20m"],
    [3 * 3600 + 59, "3h"],
    [86_400, "1d"],
    [2 * 86_400 + 4 * 3600 + 30 * 60, "2d 4h"],
    [-90, "-1m 30s"],
  ])("formats %s seconds as %s", (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });

  it("formats missing values as a dash", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(undefined)).toBe("—");
    expect(formatDuration(Number.NaN)).toBe("—");
  });
});

describe("formatRate", () => {
  it("formats a ratio as a percentage", () => {
    expect(formatRate(0.125)).toBe("12.5%");
  });

  it("formats zero as a percentage", () => {
    expect(formatRate(0)).toBe("0.0%");
  });

  it("formats null as a dash", () => {
    expect(formatRate(null)).toBe("—");
  });
});
