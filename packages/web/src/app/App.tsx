import { useEffect } from "react";
import { useQuery } from "urql";
import type { ConnectionMonitor } from "../graphql/connection";
import { LastEventIdQuery, LiveEvents } from "../graphql/LiveEvents";
import { BoardPage, KpiPage } from "../incidents/BoardPage";
import { IncidentPage } from "../incidents/IncidentPage";
import { ReportIncidentPage } from "../incidents/ReportIncidentPage";
import { ConnectionBadge } from "./ConnectionBadge";
import { Link, matchRoute, useLocation } from "./router";

function CurrentPage() {
  const route = matchRoute(useLocation().pathname);
  switch (route.name) {
    case "board":
      return <BoardPage />;
    case "kpis":
      return <KpiPage />;
    case "report":
      return <ReportIncidentPage />;
    case "incident":
      return <IncidentPage key={route.key} incidentKey={route.key} />;
    case "notFound":
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            <Link to="/">Go to the incident board</Link>
          </p>
        </section>
      );
  }
}

/** Renders the dashboard: a header with navigation and the connection badge, then the page. */
export function App({ monitor }: { monitor: ConnectionMonitor }) {
  const { search } = useLocation();
  const [{ data: head, error: headError }] = useQuery({
    query: LastEventIdQuery,
    requestPolicy: "network-only",
  });

  useEffect(() => {
    const online = () => monitor.dispatch({ type: "browserOnline", online: navigator.onLine });
    window.addEventListener("online", online);
    window.addEventListener("offline", online);
    return () => {
      window.removeEventListener("online", online);
      window.removeEventListener("offline", online);
    };
  }, [monitor]);

  return (
    <>
      {head ? <LiveEvents after={head.lastEventId} /> : null}
      <header className="app-header">
        <Link to="/" className="brand">
          Incidents
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <Link to={`/${search}`}>Board</Link>
            </li>
            <li>
              <Link to="/incidents/new">Report incident</Link>
            </li>
            <li>
              <Link to={`/kpis${search}`}>KPIs</Link>
            </li>
          </ul>
        </nav>
        <ConnectionBadge monitor={monitor} />
      </header>
      <main>
        {head ? <CurrentPage /> : null}
        {headError ? <p role="alert">Cannot reach the server: {headError.message}</p> : null}
      </main>
    </>
  );
}
