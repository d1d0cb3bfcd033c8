import { useState } from "react";
import { type AnyVariables, type CombinedError, type OperationResult, useMutation } from "urql";
import { TextField } from "../../forms/fields";
import { ActionForm, type ActionProps, actionInput, TEXT_LIMIT } from "./ActionForm";
import {
  AddCommentMutation,
  CancelIncidentMutation,
  HoldIncidentMutation,
  ReopenIncidentMutation,
  ResolveIncidentMutation,
} from "./mutations";

interface TextActionProps {
  incidentKey: string;
  title: string;
  submitLabel: string;
  /** Input field of the text, as the mutation and the server's errors name it. */
  field: "reason" | "resolution" | "body";
  label: string;
  done: string;
  state: { fetching: boolean; error?: CombinedError | undefined };
  run(input: Record<string, unknown>): Promise<OperationResult<unknown, AnyVariables>>;
  onDone(message: string): void;
}

/** Renders an action whose only input is one required text: a reason, a resolution or a comment. */
function TextActionForm(props: TextActionProps) {
  const [text, setText] = useState("");
  return (
    <ActionForm
      title={props.title}
      submitLabel={props.submitLabel}
      state={props.state}
      onSubmit={async (occurredAt) => {
        const input = actionInput(props.incidentKey, occurredAt, { [props.field]: text });
        const result = await props.run(input);
        if (!result.error) props.onDone(props.done);
      }}
    >
      <TextField
        label={props.label}
        name={props.field}
        value={text}
        onChange={setText}
        max={TEXT_LIMIT}
        multiline
        rows={4}
        required
      />
    </ActionForm>
  );
}

// NOTE: the mutations' input types differ only in the text field, which TextActionForm sets by
// name, so each `run` below passes the built input through unchecked.

export function HoldForm({ incident, onDone }: ActionProps) {
  const [state, run] = useMutation(HoldIncidentMutation);
  return (
    <TextActionForm
      incidentKey={incident.key}
      title="Put on hold"
      submitLabel="Hold incident"
      field="reason"
      label="What the response waits on"
      done="Put on hold."
      state={state}
      run={(input) => run({ input: input as never })}
      onDone={onDone}
    />
  );
}

export function ResolveForm({ incident, onDone }: ActionProps) {
  const [state, run] = useMutation(ResolveIncidentMutation);
  return (
    <TextActionForm
      incidentKey={incident.key}
      title="Resolve"
      submitLabel="Resolve incident"
      field="resolution"
      label="Resolution summary"
      done="Resolved."
      state={state}
      run={(input) => run({ input: input as never })}
      onDone={onDone}
    />
  );
}

export function ReopenForm({ incident, onDone }: ActionProps) {
  const [state, run] = useMutation(ReopenIncidentMutation);
  return (
    <TextActionForm
      incidentKey={incident.key}
      title="Reopen"
      submitLabel="Reopen incident"
      field="reason"
      label="Reason for reopening"
      done="Reopened."
      state={state}
      run={(input) => run({ input: input as never })}
      onDone={onDone}
    />
  );
}

export function CancelForm({ incident, onDone }: ActionProps) {
  const [state, run] = useMutation(CancelIncidentMutation);
  return (
    <TextActionForm
      incidentKey={incident.key}
      title="Cancel incident"
      submitLabel="Cancel incident"
      field="reason"
      label="Reason (duplicate, false alarm, …)"
      done="Cancelled."
      state={state}
      run={(input) => run({ input: input as never })}
      onDone={onDone}
    />
  );
}

export function CommentForm({ incident, onDone }: ActionProps) {
  const [state, run] = useMutation(AddCommentMutation);
  return (
    <TextActionForm
      incidentKey={incident.key}
      title="Comment"
      submitLabel="Add comment"
      field="body"
      label="Comment"
      done="Comment added."
      state={state}
      run={(input) => run({ input: input as never })}
      onDone={onDone}
    />
  );
}
