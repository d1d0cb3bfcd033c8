import { describe, expect, it } from "vitest";
import {
  type ConnectionEvent,
  ConnectionMonitor,
  INITIAL_CONNECTION,
  nextConnectionState,
} from "./connection";

function run(events: ConnectionEvent[]) {
  return events.reduce(nextConnectionState, INITIAL_CONNECTION);
}

describe("nextConnectionState", () => {
  it("starts as connecting", () => {
    expect(run([{ type: "connecting" }]).status).toBe("connecting");
  });

  it("is connected once acknowledged", () => {
    expect(run([{ type: "connecting" }, { type: "connected" }]).status).toBe("connected");
  });

  it("reconnects after a drop", () => {
    const state = run([{ type: "connected" }, { type: "closed" }, { type: "connecting" }]);
    expect(state.status).toBe("reconnecting");
    expect(state.failedAttempts).toBe(0);
  });

  it("goes offline after repeated failures", () => {
    const attempt: ConnectionEvent[] = [{ type: "connecting" }, { type: "closed" }];
    const state = run([{ type: "connected" }, { type: "closed" }, ...attempt, ...attempt]);
    expect(state.status).toBe("reconnecting");
    expect(nextConnectionState(state, { type: "closed" }).status).toBe("offline");
  });

  it("recovers from offline when acknowledged", () => {
    const failures: ConnectionEvent[] = Array(5).fill({ type: "closed" });
    const state = run([...failures, { type: "connecting" }, { type: "connected" }]);
    expect(state.status).toBe("connected");
    expect(state.failedAttempts).toBe(0);
  });

  it("is offline while the browser is", () => {
    const state = run([{ type: "connected" }, { type: "closed" }]);
    const offline = nextConnectionState(state, { type: "browserOnline", online: false });
    expect(offline.status).toBe("offline");
    const online = nextConnectionState(offline, { type: "browserOnline", online: true });
    expect(online.status).toBe("reconnecting");
  });

  it("stays connected when the browser reports offline", () => {
    const state = run([{ type: "connected" }, { type: "browserOnline", online: false }]);
    expect(state.status).toBe("connected");
  });
});

describe("ConnectionMonitor", () => {
  it("notifies listeners of status changes", () => {
    const monitor = new ConnectionMonitor();
    const seen: string[] = [];
    const unsubscribe = monitor.subscribe(() => seen.push(monitor.current.status));
    monitor.dispatch({ type: "connecting" });
    monitor.dispatch({ type: "connected" });
    monitor.dispatch({ type: "closed" });
    unsubscribe();
    monitor.dispatch({ type: "connected" });
    expect(seen).toEqual(["connected", "reconnecting"]);
  });
});
