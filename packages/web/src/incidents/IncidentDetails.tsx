import type { ReactNode } from "react";
import { PriorityBadge, StatusBadge } from "../app/ui";
import { formatDateTime } from "../format/time";
import { type FragmentType, getFragmentData, graphql } from "../gql";

export const IncidentDetailsFragment = graphql(`
  fragment IncidentDetails_incident on Incident {
    id
    key
    number
    title
    description
    externalRef
    status
    impact
    urgency
    priority
    priorityOverridden
    overrideReason
    category {
      id
      name
    }
    team {
      id
      name
    }
    manager {
      id
      name
      email
    }
    reporter {
      id
      name
      email
    }
    detectedAt
    acknowledgedAt
    resolvedAt
    closedAt
    cancelledAt
    lastEventAt
    escalationLevel
    reopenCount
    resolution
    cancelReason
    problemRef
    postMortemUrl
    version
  }
`);

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd>{children ?? <span className="muted">—</span>}</dd>
    </div>
  );
}

function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="muted">—</span>;
  return <time dateTime={value}>{formatDateTime(value)}</time>;
}

/** Renders http and https URLs as links and others as text, so a stored URL cannot run script. */
function SafeLink({ href }: { href: string }) {
  const safe = /^https?:\/\//i.test(href);
  return safe ? (
    <a href={href} rel="noreferrer noopener" target="_blank">
      {href}
    </a>
  ) : (
    <span>{href}</span>
  );
}

/** Shows every field of an incident, in the order of its lifecycle. */
export function IncidentDetails(props: { incident: FragmentType<typeof IncidentDetailsFragment> }) {
  const incident = getFragmentData(IncidentDetailsFragment, props.incident);
  return (
    <section aria-labelledby="details-heading" className="details">
      <h2 id="details-heading">Details</h2>
      <div className="description">
        <h3>Description</h3>
        {incident.description ? (
          <p className="prewrap">{incident.description}</p>
        ) : (
          <p className="muted">No description.</p>
        )}
      </div>
      <dl className="fields">
        <Field label="Status">
          <StatusBadge status={incident.status} />
        </Field>
        <Field label="Priority">
          <PriorityBadge priority={incident.priority} />
          {incident.priorityOverridden ? <span className="note"> overridden</span> : null}
        </Field>
        {incident.priorityOverridden ? (
          <Field label="Override reason">{incident.overrideReason}</Field>
        ) : null}
        <Field label="Impact">{incident.impact}</Field>
        <Field label="Urgency">{incident.urgency}</Field>
        <Field label="Category">{incident.category?.name}</Field>
        <Field label="Team">{incident.team?.name}</Field>
        <Field label="Escalation level">{incident.escalationLevel}</Field>
        <Field label="Incident manager">{incident.manager?.name}</Field>
        <Field label="Reported by">{incident.reporter.name}</Field>
        <Field label="External reference">{incident.externalRef}</Field>
        <Field label="Detected">
          <Time value={incident.detectedAt} />
        </Field>
        <Field label="Acknowledged">
          <Time value={incident.acknowledgedAt} />
        </Field>
        <Field label="Resolved">
          <Time value={incident.resolvedAt} />
        </Field>
        <Field label="Closed">
          <Time value={incident.closedAt} />
        </Field>
        {incident.cancelledAt ? (
          <>
            <Field label="Cancelled">
              <Time value={incident.cancelledAt} />
            </Field>
            <Field label="Cancel reason">{incident.cancelReason}</Field>
          </>
        ) : null}
        <Field label="Reopened">
          {incident.reopenCount === 0 ? "never" : `${incident.reopenCount}×`}
        </Field>
        <Field label="Resolution">
          {incident.resolution ? <span className="prewrap">{incident.resolution}</span> : null}
        </Field>
        <Field label="Problem">{incident.problemRef}</Field>
        <Field label="Post-mortem">
          {incident.postMortemUrl ? <SafeLink href={incident.postMortemUrl} /> : null}
        </Field>
        <Field label="Last change">
          <Time value={incident.lastEventAt} />{" "}
          <span className="muted">(version {incident.version})</span>
        </Field>
      </dl>
    </section>
  );
}
