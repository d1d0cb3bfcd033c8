import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type IncidentStatus, LEVELS, PRIORITIES } from "./domain";
import {
  type ActionType,
  applyAction,
  type LifecycleAction,
  type LifecycleState,
} from "./lifecycle";
import { priorityFor } from "./priority";

/**
 * Every status change that the rules allow, written out independently of the code. Actions
 * that keep the status (comment, assign, hold, escalate, and categorize or prioritize after
 * their own step) are not status changes and so are not listed.
 */
const EXPECTED_EDGES: readonly (readonly [IncidentStatus, ActionType, IncidentStatus])[] = [
  ["IDENTIFIED", "categorize", "CATEGORIZED"],
  ["CATEGORIZED", "prioritize", "PRIORITIZED"],
  ["PRIORITIZED", "acknowledge", "RESPONDING"],
  ["RESPONDING", "resolve", "RESOLVED"],
  ["RESOLVED", "close", "CLOSED"],
  ["RESOLVED", "reopen", "RESPONDING"],
  ["CLOSED", "reopen", "RESPONDING"],
  ["IDENTIFIED", "cancel", "CANCELLED"],
  ["CATEGORIZED", "cancel", "CANCELLED"],
  ["PRIORITIZED", "cancel", "CANCELLED"],
  ["RESPONDING", "cancel", "CANCELLED"],
];

/** The only actions that may succeed from CANCELLED and CLOSED. */
const ACTIONS_LEAVING: Partial<Record<IncidentStatus, readonly ActionType[]>> = {
  CANCELLED: ["comment"],
  CLOSED: ["reopen", "comment"],
};

const STATUSES_WITH_PRIORITY: readonly IncidentStatus[] = [
  "PRIORITIZED",
  "RESPONDING",
  "RESOLVED",
  "CLOSED",
];

const FRESH_STATE: LifecycleState = {
  status: "IDENTIFIED",
  categoryId: null,
  teamId: null,
  impact: null,
  urgency: null,
  priority: null,
  escalationLevel: 0,
  reopenCount: 0,
};

// Inputs are present most of the time, so that sequences get through the whole process, but
// null, empty and whitespace-only values appear often enough to exercise every rejection.
const textArb = fc.oneof(
  { arbitrary: fc.constantFrom("reason", "  padded text  ", "x"), weight: 6 },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 2 },
  { arbitrary: fc.constantFrom(null, "", "   ", "\t\n"), weight: 2 },
);
const idArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 9 },
  { arbitrary: fc.constant(null), weight: 1 },
);
const levelArb = fc.oneof(
  { arbitrary: fc.constantFrom(...LEVELS), weight: 9 },
  { arbitrary: fc.constant(null), weight: 1 },
);

// Cancel gets a low weight because only comments follow it, so an early cancel stops a run's
// progress. The later statuses need several steps in a row to be reached.
const actionArb: fc.Arbitrary<LifecycleAction> = fc.oneof(
  ...[
    fc.record({
      type: fc.constant("categorize" as const),
      categoryId: idArb,
      defaultTeamId: fc.option(idArb, { nil: undefined }),
    }),
    fc.record({
      type: fc.constant("prioritize" as const),
      impact: levelArb,
      urgency: levelArb,
      priorityOverride: fc.option(fc.option(fc.constantFrom(...PRIORITIES), { nil: null }), {
        nil: undefined,
      }),
      overrideReason: fc.option(textArb, { nil: undefined }),
    }),
    fc.record({ type: fc.constant("acknowledge" as const) }),
    fc.record({ type: fc.constant("assign" as const), teamId: idArb }),
    fc.record({ type: fc.constant("escalate" as const), teamId: idArb, reason: textArb }),
    fc.record({ type: fc.constant("hold" as const), reason: textArb }),
    fc.record({ type: fc.constant("resolve" as const), resolution: textArb }),
    fc.record({ type: fc.constant("close" as const) }),
    fc.record({ type: fc.constant("reopen" as const), reason: textArb }),
    fc.record({ type: fc.constant("comment" as const), body: textArb }),
  ].map((arbitrary) => ({ arbitrary: arbitrary as fc.Arbitrary<LifecycleAction>, weight: 5 })),
  { arbitrary: fc.record({ type: fc.constant("cancel" as const), reason: textArb }), weight: 1 },
);

const sequenceArb = fc.array(actionArb, { maxLength: 120, size: "max" });

/** One step of a run: the state before, the action and the state kept after it. */
interface Step {
  before: LifecycleState;
  action: LifecycleAction;
  ok: boolean;
  after: LifecycleState;
  /** Override reason of the latest successful prioritize step, up to and including this one. */
  overrideReason: string | null;
  escalations: number;
  reopens: number;
}

/** Applies the actions in order from a fresh state, keeping a new state only on success. */
function run(actions: readonly LifecycleAction[]): Step[] {
  const steps: Step[] = [];
  let state = FRESH_STATE;
  let overrideReason: string | null = null;
  let escalations = 0;
  let reopens = 0;
  for (const action of actions) {
    const before = state;
    const snapshot = { ...before }; // LifecycleState is flat, so a spread is a full copy.
    const result = applyAction(before, action);
    // applyAction is pure, so even a failed call must leave its input as it was.
    expect(before).toEqual(snapshot);
    if (result.ok) {
      state = result.value.state;
      if (result.value.eventType === "PRIORITIZED")
        overrideReason = result.value.overrideReason ?? null;
      if (result.value.eventType === "ESCALATED") escalations++;
      if (result.value.eventType === "REOPENED") reopens++;
    }
    steps.push({
      before,
      action,
      ok: result.ok,
      after: state,
      overrideReason,
      escalations,
      reopens,
    });
  }
  return steps;
}

const PROPERTY_RUNS = { numRuns: 300 };

describe("lifecycle properties", () => {
  it("sequences reach every status", () => {
    const reached = new Set<IncidentStatus>();
    for (const actions of fc.sample(sequenceArb, { numRuns: 200, seed: 42 })) {
      for (const step of run(actions)) reached.add(step.after.status);
    }

    expect([...reached].sort()).toEqual(
      [
        "CANCELLED",
        "CATEGORIZED",
        "CLOSED",
        "IDENTIFIED",
        "PRIORITIZED",
        "RESOLVED",
        "RESPONDING",
      ].sort(),
    );
  });

  it("status changes follow edges", () => {
    fc.assert(
      fc.property(sequenceArb, (actions) => {
        for (const { before, action, after } of run(actions)) {
          if (before.status === after.status) continue;
          const edge = [before.status, action.type, after.status];
          expect(EXPECTED_EDGES).toContainEqual(edge);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("failed action keeps the state", () => {
    fc.assert(
      fc.property(sequenceArb, (actions) => {
        for (const { before, ok, after } of run(actions)) {
          if (!ok) expect(after).toBe(before);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("CANCELLED and CLOSED restrict actions", () => {
    fc.assert(
      fc.property(sequenceArb, (actions) => {
        for (const { before, action, ok } of run(actions)) {
          const leaving = ACTIONS_LEAVING[before.status];
          if (ok && leaving !== undefined) expect(leaving).toContain(action.type);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("late statuses have category and priority", () => {
    fc.assert(
      fc.property(sequenceArb, (actions) => {
        for (const { after } of run(actions)) {
          if (!STATUSES_WITH_PRIORITY.includes(after.status)) continue;
          expect(after.categoryId).not.toBeNull();
          expect(after.impact).not.toBeNull();
          expect(after.urgency).not.toBeNull();
          expect(after.priority).not.toBeNull();
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("early statuses lack later steps", () => {
    fc.assert(
      fc.property(sequenceArb, (actions) => {
        for (const { after } of run(actions)) {
          if (after.status === "IDENTIFIED") expect(after.categoryId).toBeNull();
          if (after.status === "CATEGORIZED") expect(after.categoryId).not.toBeNull();
          if (after.status === "IDENTIFIED" || after.status === "CATEGORIZED") {
            expect(after.priority).toBeNull();
          }
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("priority follows matrix unless overridden", () => {
    fc.assert(
      fc.property(sequenceArb, (actions) => {
        for (const { after, overrideReason } of run(actions)) {
          if (after.priority === null) continue;
          if (after.impact === null || after.urgency === null) {
            expect.unreachable("a priority without impact and urgency");
          }
          const matrix = priorityFor(after.impact, after.urgency);
          if (overrideReason === null) {
            expect(after.priority).toBe(matrix);
          } else {
            expect(after.priority).not.toBe(matrix);
            expect(overrideReason.trim()).not.toBe("");
          }
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("escalationLevel counts escalations", () => {
    fc.assert(
      fc.property(sequenceArb, (actions) => {
        for (const { before, after, escalations } of run(actions)) {
          expect(after.escalationLevel).toBeGreaterThanOrEqual(before.escalationLevel);
          expect(after.escalationLevel).toBe(escalations);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("reopenCount counts reopens", () => {
    fc.assert(
      fc.property(sequenceArb, (actions) => {
        for (const { before, after, reopens } of run(actions)) {
          expect(after.reopenCount).toBeGreaterThanOrEqual(before.reopenCount);
          expect(after.reopenCount).toBe(reopens);
        }
      }),
      PROPERTY_RUNS,
    );
  });
});
