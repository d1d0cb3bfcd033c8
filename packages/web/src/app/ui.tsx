import type { CombinedError } from "urql";

/** Turns an upper-case enum value such as ON_HOLD into a label such as "On hold". */
export function labelOf(value: string): string {
  const words = value.toLowerCase().replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status status-${status.toLowerCase()}`}>{status}</span>;
}

export function PriorityBadge({ priority }: { priority: string | null | undefined }) {
  if (!priority) return <span className="muted">—</span>;
  return <span className={`badge priority priority-${priority.toLowerCase()}`}>{priority}</span>;
}

/** The message of a failed operation and the input field it names, if any. */
export interface ErrorDetails {
  message: string;
  field: string | null;
  code: string | null;
}

/**
 * Extracts what to show of a failed operation. A GraphQL error from the server carries a
 * message that names the field and the rule, plus `extensions.field` and `extensions.code`.
 */
export function errorDetails(error: CombinedError): ErrorDetails {
  const first = error.graphQLErrors[0];
  if (first) {
    const field = first.extensions?.field;
    const code = first.extensions?.code;
    return {
      message: first.message,
      field: typeof field === "string" ? field : null,
      code: typeof code === "string" ? code : null,
    };
  }
  const network = error.networkError?.message ?? error.message;
  return { message: `The server could not be reached: ${network}`, field: null, code: null };
}

export function ErrorMessage({ error, id }: { error: CombinedError | undefined; id?: string }) {
  if (!error) return null;
  const { message, code } = errorDetails(error);
  return (
    <p className="error" role="alert" id={id}>
      {code ? <span className="error-code">{code}</span> : null} {message}
    </p>
  );
}
