import type { ReactNode } from "react";
import { Link } from "../app/router";
import { PriorityBadge, StatusBadge } from "../app/ui";
import { formatDateTime } from "../format/time";
import { type FragmentType, getFragmentData, graphql } from "../gql";

export const IncidentRowFragment = graphql(`
  fragment IncidentRow_incident on Incident {
    id
    key
    number
    title
    status
    priority
    detectedAt
    category {
      id
      name
    }
    team {
      id
      name
    }
  }
`);

export function IncidentRow(props: { incident: FragmentType<typeof IncidentRowFragment> }) {
  const incident = getFragmentData(IncidentRowFragment, props.incident);
  return (
    <tr data-key={incident.key}>
      <td>
        <Link to={`/incidents/${incident.key}`}>{incident.key}</Link>
      </td>
      <td className="title-cell">{incident.title}</td>
      <td>
        <StatusBadge status={incident.status} />
      </td>
      <td>
        <PriorityBadge priority={incident.priority} />
      </td>
      <td>{incident.category?.name ?? <span className="muted">—</span>}</td>
      <td>{incident.team?.name ?? <span className="muted">—</span>}</td>
      <td>
        <time dateTime={incident.detectedAt}>{formatDateTime(incident.detectedAt)}</time>
      </td>
    </tr>
  );
}

/** Renders the incident table, whose row groups are the loaded pages. */
export function IncidentTable({ caption, children }: { caption: string; children: ReactNode }) {
  return (
    <table className="incidents">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Title</th>
          <th scope="col">Status</th>
          <th scope="col">Priority</th>
          <th scope="col">Category</th>
          <th scope="col">Team</th>
          <th scope="col">Detected</th>
        </tr>
      </thead>
      {children}
    </table>
  );
}
