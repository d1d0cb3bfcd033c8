import { describe, expect, it } from "vitest";
import {
  compareListOrder,
  type ListedIncident,
  type ListPage,
  matchesFilter,
  planListEdit,
  previousState,
} from "./lists";

function incident(number: number, fields: Partial<ListedIncident> = {}): ListedIncident {
  return {
    id: String(100 + number),
    key: `INC-${number}`,
    number,
    title: `Incident ${number}`,
    description: "",
    externalRef: null,
    status: "RESPONDING",
    priority: "P2",
    category: { id: "1" },
    team: { id: "4" },
    detectedAt: `2026-03-01T10:${String(number).padStart(2, "0")}:00.000Z`,
    ...fields,
  };
}

/** Pages of incidents with the given numbers, newest first as the API lists them. */
function pages(...lists: number[][]): ListPage[] {
  return lists.map((numbers, index) => ({
    nodes: numbers.map((number) => incident(number)),
    hasNextPage: index < lists.length - 1,
  }));
}

describe("matchesFilter", () => {
  it("matches everything without a filter", () => {
    expect(matchesFilter(incident(1), null)).toBe(true);
  });

  it("matches any listed status", () => {
    expect(matchesFilter(incident(1), { status: ["RESOLVED", "RESPONDING"] })).toBe(true);
    expect(matchesFilter(incident(1), { status: ["RESOLVED"] })).toBe(false);
  });

  it("rejects a missing priority, category or team", () => {
    const bare = incident(1, { priority: null, category: null, team: null });
    expect(matchesFilter(bare, { priority: ["P2"] })).toBe(false);
    expect(matchesFilter(bare, { categoryId: ["1"] })).toBe(false);
    expect(matchesFilter(bare, { teamId: ["4"] })).toBe(false);
  });

  it("combines fields with AND", () => {
    expect(matchesFilter(incident(1), { status: ["RESPONDING"], teamId: ["5"] })).toBe(false);
    expect(matchesFilter(incident(1), { status: ["RESPONDING"], teamId: ["4"] })).toBe(true);
  });

  it("searches key, reference, title and description", () => {
    const subject = incident(7, {
      title: "Mail relay down",
      description: "Queue grows",
      externalRef: "SN-991",
    });
    for (const search of ["inc-7", "sn-99", "RELAY", "queue"]) {
      expect(matchesFilter(subject, { search })).toBe(true);
    }
    expect(matchesFilter(subject, { search: "printer" })).toBe(false);
  });

  it("bounds the detection time", () => {
    const subject = incident(5);
    expect(matchesFilter(subject, { detectedFrom: subject.detectedAt })).toBe(true);
    expect(matchesFilter(subject, { detectedTo: subject.detectedAt })).toBe(false);
  });
});

describe("compareListOrder", () => {
  it("puts the newest detection first", () => {
    expect(compareListOrder(incident(9), incident(3))).toBeLessThan(0);
  });

  it("breaks ties by the higher number", () => {
    const at = "2026-03-01T10:00:00.000Z";
    const order = compareListOrder(
      incident(4, { detectedAt: at }),
      incident(8, { detectedAt: at }),
    );
    expect(order).toBeGreaterThan(0);
  });
});

describe("previousState", () => {
  it("restores the changed filter fields", () => {
    const after = incident(1, { status: "RESOLVED", team: { id: "6" } });
    const before = previousState(after, [
      { field: "status", before: "RESPONDING", after: "RESOLVED" },
      { field: "teamId", before: 4, after: 6 },
      { field: "categoryId", before: null, after: 1 },
    ]);
    expect(before.status).toBe("RESPONDING");
    expect(before.team).toEqual({ id: "4" });
    expect(before.category).toBeNull();
    expect(before.title).toBe(after.title);
  });
});

describe("planListEdit", () => {
  it("inserts a new incident in order", () => {
    const edit = planListEdit(pages([9, 7, 5]), incident(8), null, null);
    expect(edit).toEqual({ kind: "insert", page: 0, index: 1, countDelta: 1 });
  });

  it("inserts into a later page", () => {
    const edit = planListEdit(pages([9, 7], [5, 3], [1]), incident(4), null, null);
    expect(edit).toEqual({ kind: "insert", page: 1, index: 1, countDelta: 1 });
  });

  it("inserts into an empty list", () => {
    const edit = planListEdit([{ nodes: [], hasNextPage: false }], incident(1), null, null);
    expect(edit).toEqual({ kind: "insert", page: 0, index: 0, countDelta: 1 });
  });

  it("appends after the last row of a complete list", () => {
    const edit = planListEdit(pages([9, 7]), incident(2), null, null);
    expect(edit).toEqual({ kind: "insert", page: 0, index: 2, countDelta: 1 });
  });

  it("ignores a non-matching incident", () => {
    const edit = planListEdit(pages([9, 7]), incident(8), { status: ["RESOLVED"] }, null);
    expect(edit).toBeNull();
  });

  it("removes an incident that stopped matching", () => {
    const resolved = incident(7, { status: "RESOLVED" });
    const edit = planListEdit(pages([9, 7, 5]), resolved, { status: ["RESPONDING"] });
    expect(edit).toEqual({ kind: "remove", page: 0, index: 1, countDelta: -1 });
  });

  it("keeps a listed incident that still matches", () => {
    expect(planListEdit(pages([9, 7]), incident(7), { status: ["RESPONDING"] })).toBeNull();
  });

  it("counts a new incident past the loaded rows", () => {
    const loaded = [{ nodes: [incident(9), incident(7)], hasNextPage: true }];
    const edit = planListEdit(loaded, incident(2), null, null);
    expect(edit).toEqual({ kind: "count", countDelta: 1 });
  });

  it("counts an incident leaving past the loaded rows", () => {
    const loaded = [{ nodes: [incident(9), incident(7)], hasNextPage: true }];
    const resolved = incident(2, { status: "RESOLVED" });
    const edit = planListEdit(loaded, resolved, { status: ["RESPONDING"] }, incident(2));
    expect(edit).toEqual({ kind: "count", countDelta: -1 });
  });

  it("leaves the count when the earlier state is unknown", () => {
    const loaded = [{ nodes: [incident(9)], hasNextPage: true }];
    expect(planListEdit(loaded, incident(2), null)).toBeNull();
  });

  it("leaves the count when membership is unchanged", () => {
    const loaded = [{ nodes: [incident(9)], hasNextPage: true }];
    expect(planListEdit(loaded, incident(2), null, incident(2))).toBeNull();
  });
});
