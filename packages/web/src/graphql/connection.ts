/** Status shown by the live connection badge. */
export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "offline";

/** Facts about the WebSocket connection, from graphql-ws events and the browser. */
export interface ConnectionState {
  status: ConnectionStatus;
  /** Connection attempts in a row that closed before the server acknowledged them. */
  failedAttempts: number;
  socketOpen: boolean;
  everConnected: boolean;
  browserOnline: boolean;
}

export type ConnectionEvent =
  | { type: "connecting" }
  | { type: "connected" }
  | { type: "closed" }
  | { type: "browserOnline"; online: boolean };

/** Failed attempts in a row after which the badge shows offline instead of reconnecting. */
export const OFFLINE_AFTER_FAILED_ATTEMPTS = 3;

export const INITIAL_CONNECTION: ConnectionState = {
  status: "connecting",
  failedAttempts: 0,
  socketOpen: false,
  everConnected: false,
  browserOnline: true,
};

function statusOf(state: Omit<ConnectionState, "status">): ConnectionStatus {
  if (state.socketOpen) return "connected";
  if (!state.browserOnline || state.failedAttempts >= OFFLINE_AFTER_FAILED_ATTEMPTS) {
    return "offline";
  }
  return state.everConnected || state.failedAttempts > 0 ? "reconnecting" : "connecting";
}

/** Returns the connection state after an event. Pure, so the badge's rules can be tested. */
export function nextConnectionState(
  state: ConnectionState,
  event: ConnectionEvent,
): ConnectionState {
  let next: Omit<ConnectionState, "status">;
  switch (event.type) {
    case "connecting":
      next = { ...state, socketOpen: false };
      break;
    case "connected":
      next = { ...state, socketOpen: true, everConnected: true, failedAttempts: 0 };
      break;
    case "closed":
      // A socket that closes before it was acknowledged counts as a failed attempt.
      next = {
        ...state,
        socketOpen: false,
        failedAttempts: state.socketOpen ? 0 : state.failedAttempts + 1,
      };
      break;
    case "browserOnline":
      next = { ...state, browserOnline: event.online };
      break;
  }
  return { ...next, status: statusOf(next) };
}

/** Stores the connection state and notifies subscribers, such as the badge, when it changes. */
export class ConnectionMonitor {
  private state: ConnectionState = INITIAL_CONNECTION;
  private readonly listeners = new Set<() => void>();

  get current(): ConnectionState {
    return this.state;
  }

  dispatch(event: ConnectionEvent) {
    const next = nextConnectionState(this.state, event);
    if (next.status === this.state.status && next.failedAttempts === this.state.failedAttempts) {
      this.state = next;
      return;
    }
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  /** Adds a listener and returns the function that removes it, as useSyncExternalStore wants. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ConnectionState => this.state;
}
