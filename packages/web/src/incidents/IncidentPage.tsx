import { useQuery } from "urql";
import { useLookups } from "../app/lookups";
import { Link } from "../app/router";
import { ErrorMessage, PriorityBadge, StatusBadge } from "../app/ui";
import { getFragmentData, graphql } from "../gql";
import { IncidentStateFragment } from "../graphql/fragments";
import { ActionPanel } from "./actions/ActionPanel";
import { holdState } from "./hold";
import { IncidentDetails } from "./IncidentDetails";
import { Timeline, TimelineEventFragment } from "./Timeline";

export const IncidentPageQuery = graphql(`
  query IncidentPage($key: String!) {
    incident(key: $key) {
      id
      key
      title
      status
      priority
      manager {
        id
        name
      }
      reporter {
        id
        name
      }
      ...IncidentState_incident
      timeline {
        ...TimelineEvent_event
      }
    }
  }
`);

export function IncidentPage({ incidentKey }: { incidentKey: string }) {
  const lookups = useLookups();
  const [{ data, error, fetching }] = useQuery({
    query: IncidentPageQuery,
    variables: { key: incidentKey },
  });

  if (error) return <ErrorMessage error={error} />;
  if (!data) return <p className="muted">{fetching ? "Loading…" : ""}</p>;
  const incident = data.incident;
  if (!incident) {
    return (
      <section>
        <h1>Incident {incidentKey} not found</h1>
        <p>
          <Link to="/">Back to the board</Link>
        </p>
      </section>
    );
  }

  const state = getFragmentData(IncidentStateFragment, incident);
  const events = incident.timeline.map((event) => getFragmentData(TimelineEventFragment, event));
  const hold = holdState(incident.status, events);
  const users = incident.manager ? [incident.manager, incident.reporter] : [incident.reporter];
  return (
    <article className="incident-page" aria-labelledby="incident-heading">
      <header className="incident-header">
        <p className="breadcrumb">
          <Link to="/">Board</Link> / {incident.key}
        </p>
        <h1 id="incident-heading">
          <span className="incident-key">{incident.key}</span> {incident.title}
        </h1>
        <p className="incident-badges">
          <StatusBadge status={incident.status} />
          {incident.priority ? <PriorityBadge priority={incident.priority} /> : null}
          {hold ? (
            <span className="badge hold">
              {hold.reason ? `On hold: ${hold.reason}` : "On hold"}
            </span>
          ) : null}
        </p>
      </header>
      <div className="incident-columns">
        <IncidentDetails incident={state} />
        <ActionPanel incident={state} teams={lookups.teams} categories={lookups.categories} />
      </div>
      <Timeline events={incident.timeline} lookups={{ ...lookups, users }} />
    </article>
  );
}
