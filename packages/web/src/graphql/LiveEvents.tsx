import { useEffect } from "react";
import { useSubscription } from "urql";
import { graphql } from "../gql";

/** Milliseconds to wait before subscribing again after the server ended the stream with an error. */
const RESUBSCRIBE_DELAY_MS = 2_000;

/**
 * Stream of every incident event with the incident's new state. The cache updates apply each
 * event to the lists, the incident and its timeline, and the WebSocket forwarder resumes the
 * stream after the last event received.
 */
export const LiveIncidentEventsSubscription = graphql(`
  subscription LiveIncidentEvents($after: ID) {
    incidentEvents(after: $after) {
      id
      type
      ...TimelineEvent_event
      incident {
        id
        ...IncidentState_incident
      }
    }
  }
`);

/** The id of the newest committed event, read before the pages' first queries. */
export const LastEventIdQuery = graphql(`
  query LastEventId {
    lastEventId
  }
`);

/**
 * Keeps the one event stream of the app open, starting after `after`, and renders nothing.
 * The app reads `after` before any page queries data, so every event committed after those
 * queries is in the stream: at worst one arrives twice, and the cache updates ignore repeats.
 */
export function LiveEvents({ after }: { after: string }) {
  const [{ error }, resubscribe] = useSubscription({
    query: LiveIncidentEventsSubscription,
    variables: { after },
  });

  useEffect(() => {
    if (!error) return;
    console.warn("incident event stream failed, subscribing again", error);
    const timer = setTimeout(
      () => resubscribe({ requestPolicy: "network-only" }),
      RESUBSCRIBE_DELAY_MS,
    );
    return () => clearTimeout(timer);
  }, [error, resubscribe]);

  return null;
}
