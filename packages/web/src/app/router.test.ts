import { describe, expect, it } from "vitest";
import { matchRoute } from "./router";

describe("matchRoute", () => {
  it("matches the board", () => {
    expect(matchRoute("/")).toEqual({ name: "board" });
  });

  it("matches an incident key", () => {
    expect(matchRoute("/incidents/INC-42")).toEqual({ name: "incident", key: "INC-42" });
  });

  it("matches the report form before keys", () => {
    expect(matchRoute("/incidents/new")).toEqual({ name: "report" });
  });

  it("ignores a trailing slash", () => {
    expect(matchRoute("/kpis/")).toEqual({ name: "kpis" });
  });

  it("rejects unknown paths", () => {
    expect(matchRoute("/incidents/INC-1/extra")).toEqual({ name: "notFound" });
  });
});
