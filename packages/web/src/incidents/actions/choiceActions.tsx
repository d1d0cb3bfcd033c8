import { LEVELS, type Level, PRIORITIES, type Priority, priorityFor } from "@incident/shared";
import { useState } from "react";
import { useMutation } from "urql";
import type { Named } from "../../app/lookups";
import { SelectField, TextField } from "../../forms/fields";
import { ActionForm, type ActionProps, actionInput, TEXT_LIMIT } from "./ActionForm";
import {
  AcknowledgeIncidentMutation,
  AssignIncidentMutation,
  CategorizeIncidentMutation,
  CloseIncidentMutation,
  EscalateIncidentMutation,
  PrioritizeIncidentMutation,
} from "./mutations";

const options = (list: Named[]) => list.map((item) => ({ value: item.id, label: item.name }));
const levels = LEVELS.map((level) => ({ value: level, label: level }));

export function CategorizeForm({ incident, categories, onDone }: ActionProps) {
  const [state, run] = useMutation(CategorizeIncidentMutation);
  const [categoryId, setCategoryId] = useState(incident.category?.id ?? "");
  const chosen = categories.find((category) => category.id === categoryId);
  const routed =
    !incident.team && chosen?.defaultTeam
      ? `Routes the incident to ${chosen.defaultTeam.name}.`
      : null;

  return (
    <ActionForm
      title="Categorize"
      submitLabel="Categorize incident"
      state={state}
      ready={categoryId !== ""}
      onSubmit={async (occurredAt) => {
        const result = await run({ input: actionInput(incident.key, occurredAt, { categoryId }) });
        if (!result.error) onDone("Categorized.");
      }}
    >
      <SelectField
        label="Category"
        name="categoryId"
        value={categoryId}
        options={options(categories)}
        onChange={setCategoryId}
        required
        hint={routed}
      />
    </ActionForm>
  );
}

export function PrioritizeForm({ incident, onDone }: ActionProps) {
  const [state, run] = useMutation(PrioritizeIncidentMutation);
  const [impact, setImpact] = useState<string>(incident.impact ?? "");
  const [urgency, setUrgency] = useState<string>(incident.urgency ?? "");
  const [override, setOverride] = useState("");
  const [reason, setReason] = useState("");
  const matrix = impact && urgency ? priorityFor(impact as Level, urgency as Level) : null;
  const overriding = override !== "" && override !== matrix;

  return (
    <ActionForm
      title="Prioritize"
      submitLabel="Set priority"
      state={state}
      ready={matrix !== null}
      onSubmit={async (occurredAt) => {
        const fields = {
          impact: impact as Level,
          urgency: urgency as Level,
          ...(override ? { priorityOverride: override as Priority } : {}),
          ...(overriding ? { overrideReason: reason } : {}),
        };
        const result = await run({ input: actionInput(incident.key, occurredAt, fields) });
        if (!result.error) onDone("Priority set.");
      }}
    >
      <div className="form-row">
        <SelectField
          label="Impact"
          name="impact"
          value={impact}
          options={levels}
          onChange={setImpact}
          required
        />
        <SelectField
          label="Urgency"
          name="urgency"
          value={urgency}
          options={levels}
          onChange={setUrgency}
          required
        />
      </div>
      <p className="matrix" aria-live="polite">
        Matrix priority: <output className="matrix-priority">{matrix ?? "—"}</output>
      </p>
      <SelectField
        label="Override priority"
        name="priorityOverride"
        value={override}
        options={PRIORITIES.map((priority) => ({ value: priority, label: priority }))}
        onChange={setOverride}
        placeholder="No override"
        hint={
          override !== "" && !overriding
            ? "Equals the matrix priority, so no override is recorded."
            : undefined
        }
      />
      {overriding ? (
        <TextField
          label="Override reason"
          name="overrideReason"
          value={reason}
          onChange={setReason}
          max={TEXT_LIMIT}
          multiline
          required
        />
      ) : null}
    </ActionForm>
  );
}

export function AcknowledgeForm({ incident, onDone }: ActionProps) {
  const [state, run] = useMutation(AcknowledgeIncidentMutation);
  return (
    <ActionForm
      title="Acknowledge"
      submitLabel="Acknowledge incident"
      state={state}
      onSubmit={async (occurredAt) => {
        const result = await run({ input: actionInput(incident.key, occurredAt, {}) });
        if (!result.error) onDone("Acknowledged.");
      }}
    >
      <p className="hint">
        {incident.team ? `${incident.team.name} starts work on the incident.` : "Starts work."}
      </p>
    </ActionForm>
  );
}

/**
 * Renders the assign form, which hands the incident to any team, or the escalate form, which
 * needs another team and a reason.
 */
function TeamForm(props: ActionProps & { escalate: boolean }) {
  const { incident, teams, onDone, escalate } = props;
  const [assignState, assign] = useMutation(AssignIncidentMutation);
  const [escalateState, runEscalate] = useMutation(EscalateIncidentMutation);
  const [teamId, setTeamId] = useState("");
  const [reason, setReason] = useState("");
  const choices = escalate ? teams.filter((team) => team.id !== incident.team?.id) : teams;

  return (
    <ActionForm
      title={escalate ? "Escalate" : "Assign"}
      submitLabel={escalate ? "Escalate incident" : "Assign incident"}
      state={escalate ? escalateState : assignState}
      ready={teamId !== ""}
      onSubmit={async (occurredAt) => {
        const result = escalate
          ? await runEscalate({ input: actionInput(incident.key, occurredAt, { teamId, reason }) })
          : await assign({ input: actionInput(incident.key, occurredAt, { teamId }) });
        if (!result.error) onDone(escalate ? "Escalated." : "Assigned.");
      }}
    >
      <SelectField
        label={escalate ? "Escalate to team" : "Team"}
        name="teamId"
        value={teamId}
        options={options(choices)}
        onChange={setTeamId}
        required
        hint={incident.team ? `Now owned by ${incident.team.name}.` : "No team owns it yet."}
      />
      {escalate ? (
        <TextField
          label="Reason"
          name="reason"
          value={reason}
          onChange={setReason}
          max={TEXT_LIMIT}
          multiline
          required
        />
      ) : null}
    </ActionForm>
  );
}

export function AssignForm(props: ActionProps) {
  return <TeamForm {...props} escalate={false} />;
}

export function EscalateForm(props: ActionProps) {
  return <TeamForm {...props} escalate />;
}

export function CloseForm({ incident, onDone }: ActionProps) {
  const [state, run] = useMutation(CloseIncidentMutation);
  const [problemRef, setProblemRef] = useState("");
  const [postMortemUrl, setPostMortemUrl] = useState("");

  return (
    <ActionForm
      title="Close"
      submitLabel="Close incident"
      state={state}
      onSubmit={async (occurredAt) => {
        const fields = {
          ...(problemRef.trim() ? { problemRef: problemRef.trim() } : {}),
          ...(postMortemUrl.trim() ? { postMortemUrl: postMortemUrl.trim() } : {}),
        };
        const result = await run({ input: actionInput(incident.key, occurredAt, fields) });
        if (!result.error) onDone("Closed.");
      }}
    >
      <TextField
        label="Problem reference"
        name="problemRef"
        value={problemRef}
        onChange={setProblemRef}
        hint="The problem record for root cause work, such as PRB-12."
      />
      <TextField
        label="Post-mortem URL"
        name="postMortemUrl"
        type="url"
        value={postMortemUrl}
        onChange={setPostMortemUrl}
        placeholder="https://"
      />
    </ActionForm>
  );
}
