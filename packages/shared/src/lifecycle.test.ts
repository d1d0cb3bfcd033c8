import { describe, expect, it } from "vitest";
import { type EventType, INCIDENT_STATUSES, type IncidentStatus } from "./domain";
import {
  ACTION_TYPES,
  type ActionType,
  allowedActions,
  applyAction,
  type LifecycleAction,
  type LifecycleState,
} from "./lifecycle";
import { expectOk, expectViolation } from "./test-support";

const OWNING_TEAM = 2;
const OTHER_TEAM = 9;

/**
 * Builds a state in the status as the normal process reaches it. The CANCELLED state is one
 * cancelled right after identification.
 */
function stateIn(status: IncidentStatus): LifecycleState {
  const identified: LifecycleState = {
    status,
    categoryId: null,
    teamId: null,
    impact: null,
    urgency: null,
    priority: null,
    escalationLevel: 0,
    reopenCount: 0,
  };
  if (status === "IDENTIFIED" || status === "CANCELLED") return identified;
  if (status === "CATEGORIZED") return { ...identified, categoryId: 1, teamId: OWNING_TEAM };
  return {
    ...identified,
    categoryId: 1,
    teamId: OWNING_TEAM,
    impact: "MEDIUM",
    urgency: "MEDIUM",
    priority: "P3",
  };
}

/** An action of each type with every required input present. */
const VALID_ACTIONS: Record<ActionType, LifecycleAction> = {
  categorize: { type: "categorize", categoryId: 7, defaultTeamId: 3 },
  prioritize: { type: "prioritize", impact: "HIGH", urgency: "MEDIUM" },
  acknowledge: { type: "acknowledge" },
  assign: { type: "assign", teamId: 5 },
  escalate: { type: "escalate", teamId: OTHER_TEAM, reason: "needs the database team" },
  hold: { type: "hold", reason: "waiting for the vendor" },
  resolve: { type: "resolve", resolution: "restarted the mail relay" },
  close: { type: "close" },
  reopen: { type: "reopen", reason: "the outage is back" },
  cancel: { type: "cancel", reason: "duplicate of INC-3" },
  comment: { type: "comment", body: "looking into it" },
};

/** The status after each allowed action, per status. Actions not listed are forbidden. */
const NEXT_STATUS: Record<IncidentStatus, Partial<Record<ActionType, IncidentStatus>>> = {
  IDENTIFIED: {
    categorize: "CATEGORIZED",
    assign: "IDENTIFIED",
    cancel: "CANCELLED",
    comment: "IDENTIFIED",
  },
  CATEGORIZED: {
    categorize: "CATEGORIZED",
    prioritize: "PRIORITIZED",
    assign: "CATEGORIZED",
    cancel: "CANCELLED",
    comment: "CATEGORIZED",
  },
  PRIORITIZED: {
    categorize: "PRIORITIZED",
    prioritize: "PRIORITIZED",
    acknowledge: "RESPONDING",
    assign: "PRIORITIZED",
    cancel: "CANCELLED",
    comment: "PRIORITIZED",
  },
  RESPONDING: {
    categorize: "RESPONDING",
    prioritize: "RESPONDING",
    assign: "RESPONDING",
    escalate: "RESPONDING",
    hold: "RESPONDING",
    resolve: "RESOLVED",
    cancel: "CANCELLED",
    comment: "RESPONDING",
  },
  RESOLVED: { close: "CLOSED", reopen: "RESPONDING", comment: "RESOLVED" },
  CLOSED: { reopen: "RESPONDING", comment: "CLOSED" },
  CANCELLED: { comment: "CANCELLED" },
};

const EVENT_TYPE: Record<ActionType, EventType> = {
  categorize: "CATEGORIZED",
  prioritize: "PRIORITIZED",
  acknowledge: "ACKNOWLEDGED",
  assign: "ASSIGNED",
  escalate: "ESCALATED",
  hold: "ON_HOLD",
  resolve: "RESOLVED",
  close: "CLOSED",
  reopen: "REOPENED",
  cancel: "CANCELLED",
  comment: "COMMENTED",
};

const CASES = INCIDENT_STATUSES.flatMap((status) =>
  ACTION_TYPES.map((action) => ({ status, action, next: NEXT_STATUS[status][action] })),
);
const ALLOWED_CASES = CASES.filter((c) => c.next !== undefined);
const FORBIDDEN_CASES = CASES.filter(
  (c) => c.next === undefined && !(c.status === "RESPONDING" && c.action === "acknowledge"),
);

describe("applyAction transition table", () => {
  for (const { status, action, next } of ALLOWED_CASES) {
    it(`${action} from ${status} succeeds`, () => {
      const transition = expectOk(applyAction(stateIn(status), VALID_ACTIONS[action]));

      expect(transition.state.status).toBe(next);
      expect(transition.eventType).toBe(EVENT_TYPE[action]);
    });
  }

  for (const { status, action } of FORBIDDEN_CASES) {
    it(`${action} from ${status} fails`, () => {
      const violation = expectViolation(applyAction(stateIn(status), VALID_ACTIONS[action]));

      expect(violation.code).toBe("INVALID_TRANSITION");
      expect(violation.field).toBe("status");
      expect(violation.message).toContain(status);
    });
  }

  it("acknowledge when responding conflicts", () => {
    const violation = expectViolation(
      applyAction(stateIn("RESPONDING"), VALID_ACTIONS.acknowledge),
    );

    expect(violation.code).toBe("CONFLICT");
  });

  it("forbidden action ignores missing input", () => {
    const action: LifecycleAction = { type: "resolve", resolution: null };
    const violation = expectViolation(applyAction(stateIn("IDENTIFIED"), action));

    expect(violation.code).toBe("INVALID_TRANSITION");
  });

  it.each(INCIDENT_STATUSES)("allowedActions for %s matches table", (status) => {
    const expected = ACTION_TYPES.filter((action) => NEXT_STATUS[status][action] !== undefined);

    expect(allowedActions(status)).toEqual(expected);
  });
});

describe("applyAction required inputs", () => {
  const MISSING_INPUT_CASES: {
    name: string;
    status: IncidentStatus;
    action: LifecycleAction;
    field: string;
  }[] = [
    {
      name: "categorize without categoryId",
      status: "IDENTIFIED",
      action: { type: "categorize", categoryId: null, defaultTeamId: 3 },
      field: "categoryId",
    },
    {
      name: "prioritize without impact",
      status: "CATEGORIZED",
      action: { type: "prioritize", impact: null, urgency: "LOW" },
      field: "impact",
    },
    {
      name: "prioritize without urgency",
      status: "CATEGORIZED",
      action: { type: "prioritize", impact: "LOW", urgency: null },
      field: "urgency",
    },
    {
      name: "assign without teamId",
      status: "IDENTIFIED",
      action: { type: "assign", teamId: null },
      field: "teamId",
    },
    {
      name: "escalate without teamId",
      status: "RESPONDING",
      action: { type: "escalate", teamId: null, reason: "out of our depth" },
      field: "teamId",
    },
  ];
  const MISSING_TEXTS = [
    ["null", null],
    ["empty", ""],
    ["whitespace", " \t\n "],
  ] as const;
  for (const [label, text] of MISSING_TEXTS) {
    MISSING_INPUT_CASES.push(
      {
        name: `cancel with ${label} reason`,
        status: "IDENTIFIED",
        action: { type: "cancel", reason: text },
        field: "reason",
      },
      {
        name: `escalate with ${label} reason`,
        status: "RESPONDING",
        action: { type: "escalate", teamId: OTHER_TEAM, reason: text },
        field: "reason",
      },
      {
        name: `reopen with ${label} reason`,
        status: "RESOLVED",
        action: { type: "reopen", reason: text },
        field: "reason",
      },
      {
        name: `hold with ${label} reason`,
        status: "RESPONDING",
        action: { type: "hold", reason: text },
        field: "reason",
      },
      {
        name: `resolve with ${label} resolution`,
        status: "RESPONDING",
        action: { type: "resolve", resolution: text },
        field: "resolution",
      },
      {
        name: `comment with ${label} body`,
        status: "CLOSED",
        action: { type: "comment", body: text },
        field: "body",
      },
    );
  }

  for (const { name, status, action, field } of MISSING_INPUT_CASES) {
    it(`${name} fails`, () => {
      const violation = expectViolation(applyAction(stateIn(status), action));

      expect(violation.code).toBe("VALIDATION_FAILED");
      expect(violation.field).toBe(field);
      expect(violation.message).toContain(field);
    });
  }

  it("note is the trimmed text", () => {
    const action: LifecycleAction = { type: "resolve", resolution: "  replaced the disk \n" };
    const transition = expectOk(applyAction(stateIn("RESPONDING"), action));

    expect(transition.note).toBe("replaced the disk");
  });
});

describe("applyAction state changes", () => {
  it("escalate to owning team fails", () => {
    const action: LifecycleAction = { type: "escalate", teamId: OWNING_TEAM, reason: "try again" };
    const violation = expectViolation(applyAction(stateIn("RESPONDING"), action));

    expect(violation.code).toBe("CONFLICT");
    expect(violation.field).toBe("teamId");
  });

  it("escalate raises escalation level", () => {
    const first = expectOk(applyAction(stateIn("RESPONDING"), VALID_ACTIONS.escalate));
    const back: LifecycleAction = { type: "escalate", teamId: OWNING_TEAM, reason: "back to L1" };
    const second = expectOk(applyAction(first.state, back));

    expect(first.state.escalationLevel).toBe(1);
    expect(first.state.teamId).toBe(OTHER_TEAM);
    expect(second.state.escalationLevel).toBe(2);
    expect(second.state.teamId).toBe(OWNING_TEAM);
  });

  it.each(["RESOLVED", "CLOSED"] as const)("reopen from %s raises reopenCount", (status) => {
    const once = expectOk(applyAction(stateIn(status), VALID_ACTIONS.reopen));
    const resolved = expectOk(applyAction(once.state, VALID_ACTIONS.resolve));
    const twice = expectOk(applyAction(resolved.state, VALID_ACTIONS.reopen));

    expect(once.state.reopenCount).toBe(1);
    expect(twice.state.reopenCount).toBe(2);
  });

  it("categorize routes unowned incident", () => {
    const action: LifecycleAction = { type: "categorize", categoryId: 7, defaultTeamId: 3 };
    const transition = expectOk(applyAction(stateIn("IDENTIFIED"), action));

    expect(transition.state.categoryId).toBe(7);
    expect(transition.state.teamId).toBe(3);
  });

  it("categorize keeps owning team", () => {
    const owned: LifecycleState = { ...stateIn("IDENTIFIED"), teamId: OWNING_TEAM };
    const action: LifecycleAction = { type: "categorize", categoryId: 7, defaultTeamId: 3 };
    const transition = expectOk(applyAction(owned, action));

    expect(transition.state.categoryId).toBe(7);
    expect(transition.state.teamId).toBe(OWNING_TEAM);
  });

  it("categorize without default team", () => {
    const action: LifecycleAction = { type: "categorize", categoryId: 7 };
    const transition = expectOk(applyAction(stateIn("IDENTIFIED"), action));

    expect(transition.state.teamId).toBeNull();
  });

  it("prioritize applies matrix priority", () => {
    const transition = expectOk(applyAction(stateIn("CATEGORIZED"), VALID_ACTIONS.prioritize));

    expect(transition.state.impact).toBe("HIGH");
    expect(transition.state.urgency).toBe("MEDIUM");
    expect(transition.state.priority).toBe("P2");
    expect(transition.overrideReason).toBeNull();
  });

  it("prioritize keeps override reason", () => {
    const action: LifecycleAction = {
      type: "prioritize",
      impact: "LOW",
      urgency: "LOW",
      priorityOverride: "P1",
      overrideReason: " board meeting demo ",
    };
    const transition = expectOk(applyAction(stateIn("CATEGORIZED"), action));

    expect(transition.state.priority).toBe("P1");
    expect(transition.overrideReason).toBe("board meeting demo");
    expect(transition.note).toBe("board meeting demo");
  });

  it("prioritize rejects unexplained override", () => {
    const action: LifecycleAction = {
      type: "prioritize",
      impact: "LOW",
      urgency: "LOW",
      priorityOverride: "P1",
    };
    const violation = expectViolation(applyAction(stateIn("CATEGORIZED"), action));

    expect(violation.code).toBe("VALIDATION_FAILED");
    expect(violation.field).toBe("overrideReason");
  });

  it.each(["hold", "comment"] as const)("%s keeps the state", (type) => {
    const before = stateIn("RESPONDING");
    const transition = expectOk(applyAction(before, VALID_ACTIONS[type]));

    expect(transition.state).toEqual(before);
  });

  it("assign changes only the team", () => {
    const before = stateIn("RESPONDING");
    const transition = expectOk(applyAction(before, { type: "assign", teamId: 5 }));

    expect(transition.state).toEqual({ ...before, teamId: 5 });
  });

  it("applyAction leaves input unchanged", () => {
    const before = stateIn("RESPONDING");
    const snapshot = { ...before }; // LifecycleState is flat, so a spread is a full copy.
    expectOk(applyAction(before, VALID_ACTIONS.escalate));

    expect(before).toEqual(snapshot);
  });
});
