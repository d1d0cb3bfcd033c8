import { describe, expect, it } from "vitest";
import { fieldLabel, formatChangeValue, type Lookups } from "./changes";

const LOOKUPS: Lookups = {
  teams: [{ id: "2", name: "Messaging" }],
  categories: [{ id: "5", name: "Email" }],
  users: [{ id: "1", name: "Dana Ops" }],
};

describe("formatChangeValue", () => {
  it("shows team and category names", () => {
    expect(formatChangeValue("teamId", 2, LOOKUPS)).toBe("Messaging");
    expect(formatChangeValue("categoryId", "5", LOOKUPS)).toBe("Email");
  });

  it("shows the manager's name", () => {
    expect(formatChangeValue("managerId", 1, LOOKUPS)).toBe("Dana Ops");
  });

  it("shows an unknown id as itself", () => {
    expect(formatChangeValue("teamId", 9, LOOKUPS)).toBe("9");
  });

  it("shows missing values as a dash", () => {
    expect(formatChangeValue("status", null, LOOKUPS)).toBe("—");
    expect(formatChangeValue("resolution", "", LOOKUPS)).toBe("—");
  });

  it("shows booleans as words", () => {
    expect(formatChangeValue("priorityOverride", true, LOOKUPS)).toBe("yes");
  });

  it("cuts long text", () => {
    const shown = formatChangeValue("description", "x".repeat(500), LOOKUPS);
    expect(shown).toHaveLength(201);
    expect(shown.endsWith("…")).toBe(true);
  });

  it("keeps plain values", () => {
    expect(formatChangeValue("status", "RESOLVED", LOOKUPS)).toBe("RESOLVED");
    expect(formatChangeValue("escalationLevel", 2, LOOKUPS)).toBe("2");
  });
});

describe("fieldLabel", () => {
  it("names id fields by what they refer to", () => {
    expect(fieldLabel("teamId")).toBe("team");
    expect(fieldLabel("status")).toBe("status");
  });
});
