import { graphql } from "../../gql";

/**
 * Result selection of every incident mutation: the incident's whole state and its timeline, so
 * the incident page shows the change at once and the cache can move the incident between lists.
 */
export const IncidentMutationResultFragment = graphql(`
  fragment IncidentMutationResult_incident on Incident {
    id
    ...IncidentState_incident
    timeline {
      ...TimelineEvent_event
    }
  }
`);

export const CreateIncidentMutation = graphql(`
  mutation CreateIncident($input: CreateIncidentInput!) {
    createIncident(input: $input) {
      key
      ...IncidentMutationResult_incident
    }
  }
`);

export const CategorizeIncidentMutation = graphql(`
  mutation CategorizeIncident($input: CategorizeIncidentInput!) {
    categorizeIncident(input: $input) {
      ...IncidentMutationResult_incident
    }
  }
`);

export const PrioritizeIncidentMutation = graphql(`
  mutation PrioritizeIncident($input: PrioritizeIncidentInput!) {
    prioritizeIncident(input: $input) {
      ...IncidentMutationResult_incident
    }
  }
`);

export const AcknowledgeIncidentMutation = graphql(`
  mutation AcknowledgeIncident($input: AcknowledgeIncidentInput!) {
    acknowledgeIncident(input: $input) {
      ...IncidentMutationResult_incident
    }
  }
`);

export const AssignIncidentMutation = graphql(`
  mutation AssignIncident($input: AssignIncidentInput!) {
    assignIncident(input: $input) {
      ...IncidentMutationResult_incident
    }
  }
`);

export const EscalateIncidentMutation = graphql(`
  mutation EscalateIncident($input: EscalateIncidentInput!) {
    escalateIncident(input: $input) {
      ...IncidentMutationResult_incident
    }
  }
`);

export const HoldIncidentMutation = graphql(`
  mutation HoldIncident($input: HoldIncidentInput!) {
    holdIncident(input: $input) {
      ...IncidentMutationResult_incident
    }
  }
`);

export const ResolveIncidentMutation = graphql(`
  mutation ResolveIncident($input: ResolveIncidentInput!) {
    resolveIncident(input: $input) {
      ...IncidentMutationResult_incident
    }
  }
`);

export const CloseIncidentMutation = graphql(`
  mutation CloseIncident($input: CloseIncidentInput!) {
    closeIncident(input: $input) {
      ...IncidentMutationResult_incident
    }
  }
`);

export const ReopenIncidentMutation = graphql(`
  mutation ReopenIncident($input: ReopenIncidentInput!) {
    reopenIncident(input: $input) {
      ...IncidentMutationResult_incident
    }
  }
`);

export const CancelIncidentMutation = graphql(`
  mutation CancelIncident($input: CancelIncidentInput!) {
    cancelIncident(input: $input) {
      ...IncidentMutationResult_incident
    }
  }
`);

export const AddCommentMutation = graphql(`
  mutation AddComment($input: AddCommentInput!) {
    addComment(input: $input) {
      ...IncidentMutationResult_incident
    }
  }
`);
