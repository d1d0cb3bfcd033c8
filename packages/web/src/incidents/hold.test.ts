import { describe, expect, it } from "vitest";
import { type HoldEvent, holdState } from "./hold";

let nextId = 1;

function event(type: string, occurredAt: string, note: string | null = null): HoldEvent {
  const id = String(nextId++);
  return { id, type, occurredAt, note };
}

describe("holdState", () => {
  it("is null without a hold", () => {
    const events = [event("CREATED", "2026-01-01T09:00:00Z")];
    expect(holdState("RESPONDING", events)).toBeNull();
  });

  it("returns the latest hold reason", () => {
    const events = [
      event("ON_HOLD", "2026-01-01T09:00:00Z", "waiting for the vendor"),
      event("ON_HOLD", "2026-01-01T10:00:00Z", "waiting for the customer"),
    ];
    expect(holdState("RESPONDING", events)).toEqual({ reason: "waiting for the customer" });
  });

  it("returns a null reason for an empty note", () => {
    const events = [event("ON_HOLD", "2026-01-01T09:00:00Z", "  ")];
    expect(holdState("RESPONDING", events)).toEqual({ reason: null });
  });

  it.each(["ACKNOWLEDGED", "REOPENED", "ESCALATED", "COMMENTED"])("ends after %s", (type) => {
    const events = [
      event("ON_HOLD", "2026-01-01T09:00:00Z", "waiting"),
      event(type, "2026-01-01T09:30:00Z"),
    ];
    expect(holdState("RESPONDING", events)).toBeNull();
  });

  it("lasts past other event types", () => {
    const events = [
      event("ON_HOLD", "2026-01-01T09:00:00Z", "waiting"),
      event("ASSIGNED", "2026-01-01T09:30:00Z"),
    ];
    expect(holdState("RESPONDING", events)).toEqual({ reason: "waiting" });
  });

  it("lasts past a backdated comment", () => {
    const hold = event("ON_HOLD", "2026-01-01T09:00:00Z", "waiting");
    const comment = event("COMMENTED", "2026-01-01T08:00:00Z");
    expect(holdState("RESPONDING", [hold, comment])).toEqual({ reason: "waiting" });
  });

  it("breaks a time tie by id", () => {
    const hold = event("ON_HOLD", "2026-01-01T09:00:00Z", "waiting");
    const comment = event("COMMENTED", "2026-01-01T09:00:00Z");
    expect(holdState("RESPONDING", [hold, comment])).toBeNull();
  });

  it("is null once resolved", () => {
    const events = [event("ON_HOLD", "2026-01-01T09:00:00Z", "waiting")];
    expect(holdState("RESOLVED", events)).toBeNull();
  });
});
