import { labelOf } from "../app/ui";
import { formatDateTime } from "../format/time";
import { type FragmentType, getFragmentData, graphql } from "../gql";
import { fieldLabel, formatChangeValue, type Lookups } from "./changes";

export const TimelineEventFragment = graphql(`
  fragment TimelineEvent_event on IncidentEvent {
    id
    type
    occurredAt
    recordedAt
    note
    actor {
      id
      name
    }
    changes {
      field
      before
      after
    }
  }
`);

function TimelineEntry(props: {
  event: FragmentType<typeof TimelineEventFragment>;
  lookups: Lookups;
}) {
  const event = getFragmentData(TimelineEventFragment, props.event);
  const late = Date.parse(event.recordedAt) - Date.parse(event.occurredAt) > 60_000;
  // A change that reads the same on both sides, such as no description to an empty one, is
  // left out.
  const changes = event.changes
    .map((change) => ({
      field: change.field,
      before: formatChangeValue(change.field, change.before, props.lookups),
      after: formatChangeValue(change.field, change.after, props.lookups),
    }))
    .filter((change) => change.before !== change.after);
  return (
    <li className={`event event-${event.type.toLowerCase()}`} data-event-type={event.type}>
      <div className="event-head">
        <span className="event-type">{labelOf(event.type)}</span>
        <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt)}</time>
        <span className="actor">by {event.actor.name}</span>
        {late ? <span className="muted">(recorded {formatDateTime(event.recordedAt)})</span> : null}
      </div>
      {event.note ? <p className="note prewrap">{event.note}</p> : null}
      {changes.length > 0 ? (
        <ul className="changes">
          {changes.map((change) => (
            <li key={change.field}>
              <span className="change-field">{fieldLabel(change.field)}</span>:{" "}
              <span className="before">{change.before}</span> <span aria-hidden="true">→</span>
              <span className="visually-hidden">to</span>{" "}
              <span className="after">{change.after}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** Lists the incident's events, oldest first, each with its changed fields before and after. */
export function Timeline(props: {
  events: FragmentType<typeof TimelineEventFragment>[];
  lookups: Lookups;
}) {
  return (
    <section aria-labelledby="timeline-heading" className="timeline">
      <h2 id="timeline-heading">Timeline</h2>
      {props.events.length === 0 ? (
        <p className="muted">No events yet.</p>
      ) : (
        <ol>
          {props.events.map((event) => (
            <TimelineEntry
              key={getFragmentData(TimelineEventFragment, event).id}
              event={event}
              lookups={props.lookups}
            />
          ))}
        </ol>
      )}
    </section>
  );
}
