import { graphql } from "../gql";

/** The fields that decide whether and where an incident appears in a filtered list. */
export const ListMatchFragment = graphql(`
  fragment ListMatch_incident on Incident {
    id
    key
    number
    title
    description
    externalRef
    status
    priority
    detectedAt
    category {
      id
    }
    team {
      id
    }
  }
`);

/**
 * Everything the board and the incident page show of an incident, except its timeline.
 * Mutations and the event stream return it, so every view of the incident updates in place.
 */
export const IncidentStateFragment = graphql(`
  fragment IncidentState_incident on Incident {
    id
    ...ListMatch_incident
    ...IncidentRow_incident
    ...IncidentDetails_incident
    ...IncidentActions_incident
  }
`);
