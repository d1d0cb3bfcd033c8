import { ACTION_TYPES, type ActionType } from "@incident/shared";
import { type ComponentType, useEffect, useId, useState } from "react";
import type { CategoryOption, Named } from "../../app/lookups";
import { type FragmentType, getFragmentData, graphql } from "../../gql";
import type { ActionProps } from "./ActionForm";
import {
  AcknowledgeForm,
  AssignForm,
  CategorizeForm,
  CloseForm,
  EscalateForm,
  PrioritizeForm,
} from "./choiceActions";
import { CancelForm, CommentForm, HoldForm, ReopenForm, ResolveForm } from "./textActions";

export const IncidentActionsFragment = graphql(`
  fragment IncidentActions_incident on Incident {
    id
    key
    status
    allowedActions
    impact
    urgency
    priority
    category {
      id
    }
    team {
      id
      name
    }
  }
`);

const ACTIONS: Record<ActionType, { label: string; form: ComponentType<ActionProps> }> = {
  categorize: { label: "Categorize", form: CategorizeForm },
  prioritize: { label: "Prioritize", form: PrioritizeForm },
  acknowledge: { label: "Acknowledge", form: AcknowledgeForm },
  assign: { label: "Assign", form: AssignForm },
  escalate: { label: "Escalate", form: EscalateForm },
  hold: { label: "Put on hold", form: HoldForm },
  resolve: { label: "Resolve", form: ResolveForm },
  close: { label: "Close", form: CloseForm },
  reopen: { label: "Reopen", form: ReopenForm },
  cancel: { label: "Cancel incident", form: CancelForm },
  comment: { label: "Comment", form: CommentForm },
};

/**
 * Renders one button per action that the status machine allows next, and each button opens
 * that action's form. The server lists the allowed actions, so the buttons follow live changes.
 */
export function ActionPanel(props: {
  incident: FragmentType<typeof IncidentActionsFragment>;
  teams: Named[];
  categories: CategoryOption[];
}) {
  const incident = getFragmentData(IncidentActionsFragment, props.incident);
  const formId = useId();
  const [selected, setSelected] = useState<ActionType | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const allowed = ACTION_TYPES.filter((type) => incident.allowedActions.includes(type));

  // A change by someone else can take the open action away.
  useEffect(() => {
    if (selected && !incident.allowedActions.includes(selected)) setSelected(null);
  }, [selected, incident.allowedActions]);

  const Form = selected ? ACTIONS[selected].form : null;
  return (
    <section aria-labelledby="actions-heading" className="actions">
      <h2 id="actions-heading">Actions</h2>
      <div className="action-buttons">
        {allowed.map((type) => (
          <button
            key={type}
            type="button"
            className={selected === type ? "action-button selected" : "action-button"}
            aria-expanded={selected === type}
            aria-controls={formId}
            onClick={() => {
              setMessage(null);
              setSelected(selected === type ? null : type);
            }}
          >
            {ACTIONS[type].label}
          </button>
        ))}
      </div>
      <p role="status" className="done">
        {message}
      </p>
      <div id={formId}>
        {Form && selected ? (
          <Form
            key={`${selected}-${incident.status}`}
            incident={incident}
            teams={props.teams}
            categories={props.categories}
            onDone={(done) => {
              setSelected(null);
              setMessage(done);
            }}
          />
        ) : null}
      </div>
    </section>
  );
}
