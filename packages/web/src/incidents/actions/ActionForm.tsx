import { DEFAULT_LIMITS, type Level, type Priority } from "@incident/shared";
import { type FormEvent, type ReactNode, useId, useState } from "react";
import type { CombinedError } from "urql";
import type { CategoryOption, Named } from "../../app/lookups";
import { ErrorMessage, errorDetails } from "../../app/ui";
import { fromLocalInput } from "../../format/time";
import { DateTimeField, FormErrorContext } from "../../forms/fields";

/** Limit of reasons, resolution summaries and comments, in characters. */
export const TEXT_LIMIT = DEFAULT_LIMITS.text;

/** Props of every action form: the incident, the lookups and the callback after success. */
export interface ActionProps {
  incident: {
    key: string;
    impact?: Level | null;
    urgency?: Level | null;
    priority?: Priority | null;
    team?: Named | null;
    category?: { id: string } | null;
  };
  teams: Named[];
  categories: CategoryOption[];
  onDone(message: string): void;
}

export interface ActionFormProps {
  title: string;
  submitLabel: string;
  state: { fetching: boolean; error?: CombinedError | undefined };
  /** False while a required choice is missing; the submit button waits for it. */
  ready?: boolean;
  /** Runs the mutation with the "occurred at" time, or null for now. */
  onSubmit(occurredAt: string | null): void;
  children?: ReactNode;
}

/**
 * Renders the frame of an action form: its inputs, the optional time the action really
 * happened, and the server's error next to the submit button. The input that the error names
 * is marked invalid.
 */
export function ActionForm(props: ActionFormProps) {
  const headingId = useId();
  const errorId = useId();
  const [occurredAt, setOccurredAt] = useState("");
  const field = props.state.error ? errorDetails(props.state.error).field : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (props.ready === false) return;
    props.onSubmit(fromLocalInput(occurredAt));
  };

  return (
    <form className="action-form" aria-labelledby={headingId} onSubmit={submit} noValidate>
      <h3 id={headingId}>{props.title}</h3>
      <FormErrorContext.Provider value={{ field, errorId: props.state.error ? errorId : "" }}>
        {props.children}
        <DateTimeField
          label="Occurred at"
          name="occurredAt"
          value={occurredAt}
          onChange={setOccurredAt}
          hint="When it really happened, if not now. Not in the future."
        />
      </FormErrorContext.Provider>
      <ErrorMessage error={props.state.error} id={errorId} />
      <div className="form-actions">
        <button type="submit" disabled={props.state.fetching || props.ready === false}>
          {props.state.fetching ? "Saving…" : props.submitLabel}
        </button>
      </div>
    </form>
  );
}

/** Builds a mutation input with the key, the given fields and occurredAt when set. */
export function actionInput<T extends object>(key: string, occurredAt: string | null, fields: T) {
  return { key, ...fields, ...(occurredAt ? { occurredAt } : {}) };
}
