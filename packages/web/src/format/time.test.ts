import { describe, expect, it } from "vitest";
import { fromLocalInput, toLocalInput } from "./time";

describe("datetime-local conversion", () => {
  it("round-trips a local time", () => {
    const date = new Date(2026, 2, 1, 12, 30, 15);
    expect(fromLocalInput(toLocalInput(date))).toBe(date.toISOString());
  });

  it("pads fields to two digits", () => {
    expect(toLocalInput(new Date(2026, 0, 2, 3, 4, 5))).toBe("2026-01-02T03:04:05");
  });

  it("returns null for an empty value", () => {
    expect(fromLocalInput("  ")).toBeNull();
  });

  it("returns null for an unreadable value", () => {
    expect(fromLocalInput("yesterday")).toBeNull();
  });
});
