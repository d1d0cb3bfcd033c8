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

/** Keeps the one event stream of the app open, and renders nothing. */
export function LiveEvents() {
  // NOTE: the first subscription starts with the next event, since the API offers no current
  // event id to start from. An event committed between the first queries and this subscription
  // reaching the server is missed until a reload. Later resubscriptions resume exactly.
  const [{ error }, resubscribe] = useSubscription({
    query: LiveIncidentEventsSubscription,
    variables: { after: null },
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
