import { characterCount } from "@incident/shared";
import { createContext, type ReactNode, useContext, useId } from "react";

/** The input field that the server's last error named, so that input is marked invalid. */
export const FormErrorContext = createContext<{ field: string | null; errorId: string }>({
  field: null,
  errorId: "",
});

function useInvalid(name: string) {
  const { field, errorId } = useContext(FormErrorContext);
  // The server names nested fields with their path, such as input.title.
  const invalid = field !== null && (field === name || field.endsWith(`.${name}`));
  return invalid ? { "aria-invalid": true, errorId } : { "aria-invalid": undefined, errorId: "" };
}

function describedBy(...ids: (string | null | undefined)[]): string | undefined {
  const list = ids.filter(Boolean).join(" ");
  return list === "" ? undefined : list;
}

interface TextFieldProps {
  label: string;
  name: string;
  value: string;
  onChange(value: string): void;
  /** Shows a character counter against this maximum; the server enforces the limit. */
  max?: number;
  multiline?: boolean;
  rows?: number;
  required?: boolean;
  type?: "text" | "url";
  hint?: ReactNode;
  placeholder?: string;
}

/** Renders a labelled text input or text area with an optional character counter. */
export function TextField(props: TextFieldProps) {
  const id = useId();
  const counterId = `${id}-counter`;
  const hintId = `${id}-hint`;
  const { "aria-invalid": ariaInvalid, errorId } = useInvalid(props.name);
  const count = characterCount(props.value);
  const over = props.max !== undefined && count > props.max;
  const common = {
    id,
    name: props.name,
    value: props.value,
    required: props.required,
    placeholder: props.placeholder,
    "aria-invalid": ariaInvalid ?? (over ? true : undefined),
    "aria-describedby": describedBy(
      props.hint ? hintId : null,
      props.max !== undefined ? counterId : null,
      errorId,
    ),
  };

  return (
    <div className="form-field">
      <label htmlFor={id}>
        {props.label}
        {props.required ? null : <span className="optional"> (optional)</span>}
      </label>
      {props.multiline ? (
        <textarea
          {...common}
          rows={props.rows ?? 3}
          onChange={(event) => props.onChange(event.target.value)}
        />
      ) : (
        <input
          {...common}
          type={props.type ?? "text"}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
      {props.hint ? (
        <p className="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.max !== undefined ? (
        <p className={over ? "counter over" : "counter"} id={counterId}>
          {count.toLocaleString()} / {props.max.toLocaleString()} characters
          {over ? ` (${(count - props.max).toLocaleString()} too many)` : ""}
        </p>
      ) : null}
    </div>
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

/** Renders a labelled select whose empty option shows `placeholder`. */
export function SelectField(props: {
  label: string;
  name: string;
  value: string;
  options: SelectOption[];
  onChange(value: string): void;
  placeholder?: string;
  required?: boolean;
  hint?: ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const { "aria-invalid": ariaInvalid, errorId } = useInvalid(props.name);
  return (
    <div className="form-field">
      <label htmlFor={id}>
        {props.label}
        {props.required ? null : <span className="optional"> (optional)</span>}
      </label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        required={props.required}
        aria-invalid={ariaInvalid}
        aria-describedby={describedBy(props.hint ? hintId : null, errorId)}
        onChange={(event) => props.onChange(event.target.value)}
      >
        <option value="">{props.placeholder ?? "Choose…"}</option>
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {props.hint ? (
        <p className="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

/** Renders a local date and time input with seconds, for when something really happened. */
export function DateTimeField(props: {
  label: string;
  name: string;
  value: string;
  onChange(value: string): void;
  hint?: ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const { "aria-invalid": ariaInvalid, errorId } = useInvalid(props.name);
  return (
    <div className="form-field">
      <label htmlFor={id}>
        {props.label}
        <span className="optional"> (optional)</span>
      </label>
      <input
        id={id}
        name={props.name}
        type="datetime-local"
        step={1}
        value={props.value}
        aria-invalid={ariaInvalid}
        aria-describedby={describedBy(props.hint ? hintId : null, errorId)}
        onChange={(event) => props.onChange(event.target.value)}
      />
      {props.hint ? (
        <p className="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}
