import { useSyncExternalStore } from "react";
import type { ConnectionMonitor, ConnectionStatus } from "../graphql/connection";

const LABELS: Record<ConnectionStatus, string> = {
  connecting: "Connecting",
  connected: "Connected",
  reconnecting: "Reconnecting",
  offline: "Offline",
};

/** Shows whether live updates arrive: connected, reconnecting or offline. */
export function ConnectionBadge({ monitor }: { monitor: ConnectionMonitor }) {
  const state = useSyncExternalStore(monitor.subscribe, monitor.getSnapshot);
  return (
    <p className={`connection connection-${state.status}`} role="status" data-status={state.status}>
      <span className="dot" aria-hidden="true" />
      <span className="visually-hidden">Live updates: </span>
      {LABELS[state.status]}
    </p>
  );
}
