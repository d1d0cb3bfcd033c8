import { describe, expect, it } from "vitest";
import {
  type BoardFilter,
  EMPTY_FILTER,
  filterFromSearch,
  filterToSearch,
  isEmptyFilter,
  toIncidentFilter,
} from "./filter";

const FULL: BoardFilter = {
  status: ["PRIORITIZED", "RESPONDING"],
  priority: ["P1", "P2"],
  categoryId: ["2", "10"],
  teamId: ["3"],
  search: "db down",
  detectedFrom: "2026-03-01",
  detectedTo: "2026-03-31",
};

describe("filterFromSearch", () => {
  it("reads comma-separated lists", () => {
    const filter = filterFromSearch("?status=RESPONDING,PRIORITIZED&priority=P2,P1");
    expect(filter.status).toEqual(["PRIORITIZED", "RESPONDING"]);
    expect(filter.priority).toEqual(["P1", "P2"]);
  });

  it("reads repeated parameters", () => {
    expect(filterFromSearch("?team=4&team=2").teamId).toEqual(["2", "4"]);
  });

  it("drops unknown values", () => {
    const filter = filterFromSearch("?status=OPEN,CLOSED&priority=P9&category=abc,0,7");
    expect(filter.status).toEqual(["CLOSED"]);
    expect(filter.priority).toEqual([]);
    expect(filter.categoryId).toEqual(["7"]);
  });

  it("drops repeated ids", () => {
    expect(filterFromSearch("?category=3,3,1").categoryId).toEqual(["1", "3"]);
  });

  it("reads and trims the search text", () => {
    expect(filterFromSearch("?q=%20mail%20server%20").search).toBe("mail server");
  });

  it("reads the detection days", () => {
    const filter = filterFromSearch("?from=2026-03-01&to=2026-03-31");
    expect(filter.detectedFrom).toBe("2026-03-01");
    expect(filter.detectedTo).toBe("2026-03-31");
  });

  it("drops impossible days", () => {
    const filter = filterFromSearch("?from=2026-02-30&to=31.03.2026");
    expect(filter.detectedFrom).toBe("");
    expect(filter.detectedTo).toBe("");
  });

  it("swaps a reversed window", () => {
    const filter = filterFromSearch("?from=2026-03-31&to=2026-03-01");
    expect(filter.detectedFrom).toBe("2026-03-01");
    expect(filter.detectedTo).toBe("2026-03-31");
  });

  it("returns the empty filter for no query", () => {
    expect(filterFromSearch("")).toEqual(EMPTY_FILTER);
  });
});

describe("filterToSearch", () => {
  it("writes every field", () => {
    expect(filterToSearch(FULL)).toBe(
      "?status=PRIORITIZED,RESPONDING&priority=P1,P2&category=2,10&team=3&q=db+down" +
        "&from=2026-03-01&to=2026-03-31",
    );
  });

  it("writes nothing for the empty filter", () => {
    expect(filterToSearch(EMPTY_FILTER)).toBe("");
  });

  it("round-trips through the URL", () => {
    expect(filterFromSearch(filterToSearch(FULL))).toEqual(FULL);
  });

  it("writes values in canonical order", () => {
    const shuffled = { ...FULL, status: ["RESPONDING", "PRIORITIZED"], teamId: ["3", "3"] };
    expect(filterToSearch(shuffled as BoardFilter)).toBe(filterToSearch(FULL));
  });
});

describe("toIncidentFilter", () => {
  it("returns null for the empty filter", () => {
    expect(toIncidentFilter(EMPTY_FILTER)).toBeNull();
  });

  it("keeps only restricting fields", () => {
    expect(toIncidentFilter({ ...EMPTY_FILTER, status: ["RESOLVED"], search: "  " })).toEqual({
      status: ["RESOLVED"],
    });
  });

  it("converts every field", () => {
    expect(toIncidentFilter(FULL)).toEqual({
      status: ["PRIORITIZED", "RESPONDING"],
      priority: ["P1", "P2"],
      categoryId: ["2", "10"],
      teamId: ["3"],
      search: "db down",
      detectedFrom: new Date(2026, 2, 1).toISOString(),
      detectedTo: new Date(2026, 3, 1).toISOString(),
    });
  });

  it("ends the window after its last day", () => {
    const input = toIncidentFilter({ ...EMPTY_FILTER, detectedTo: "2026-12-31" });
    expect(input).toEqual({ detectedTo: new Date(2027, 0, 1).toISOString() });
  });

  it("keeps an open-ended window", () => {
    const input = toIncidentFilter({ ...EMPTY_FILTER, detectedFrom: "2026-03-01" });
    expect(input).toEqual({ detectedFrom: new Date(2026, 2, 1).toISOString() });
  });

  it("detects the empty filter", () => {
    expect(isEmptyFilter({ ...EMPTY_FILTER, search: " " })).toBe(true);
    expect(isEmptyFilter(FULL)).toBe(false);
  });
});
