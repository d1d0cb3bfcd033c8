import { DEFAULT_LIMITS, LEVELS, type Level, priorityFor } from "@incident/shared";
import { type FormEvent, useId, useState } from "react";
import { useMutation, useQuery } from "urql";
import { useLookups } from "../app/lookups";
import { navigate } from "../app/router";
import { ErrorMessage, errorDetails } from "../app/ui";
import { fromLocalInput } from "../format/time";
import { DateTimeField, FormErrorContext, SelectField, TextField } from "../forms/fields";
import { graphql } from "../gql";
import { CreateIncidentMutation } from "./actions/mutations";

const levels = LEVELS.map((level) => ({ value: level, label: level }));

/**
 * Renders the form that reports a new incident. Category, impact and urgency are optional, and
 * when given, the server categorizes and prioritizes at once. The counters use the default
 * limits, while the server enforces the limits it is configured with.
 */
/** The server's limits, which DESCRIPTION_MAX_LENGTH may have changed from the defaults. */
const LimitsQuery = graphql(`
  query InputLimits {
    limits {
      title
      description
    }
  }
`);

export function ReportIncidentPage() {
  const [{ data: limitsData }] = useQuery({ query: LimitsQuery });
  const limits = limitsData?.limits ?? DEFAULT_LIMITS;
  const { categories } = useLookups();
  const [state, create] = useMutation(CreateIncidentMutation);
  const headingId = useId();
  const errorId = useId();
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [detectedAt, setDetectedAt] = useState("");
  const [categoryId, setCategoryId] = useState("");
  const [impact, setImpact] = useState("");
  const [urgency, setUrgency] = useState("");
  const matrix = impact && urgency ? priorityFor(impact as Level, urgency as Level) : null;
  const field = state.error ? errorDetails(state.error).field : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const detected = fromLocalInput(detectedAt);
    const input = {
      title,
      description,
      ...(detected ? { detectedAt: detected } : {}),
      ...(categoryId ? { categoryId } : {}),
      ...(impact ? { impact: impact as Level } : {}),
      ...(urgency ? { urgency: urgency as Level } : {}),
    };
    const result = await create({ input });
    const key = result.data?.createIncident.key;
    if (key) navigate(`/incidents/${key}`);
  };

  return (
    <section className="report" aria-labelledby={headingId}>
      <h1 id={headingId}>Report an incident</h1>
      <form onSubmit={submit} noValidate className="report-form">
        <FormErrorContext.Provider value={{ field, errorId: state.error ? errorId : "" }}>
          <TextField
            label="Title"
            name="title"
            value={title}
            onChange={setTitle}
            max={limits.title}
            required
          />
          <TextField
            label="Description"
            name="description"
            value={description}
            onChange={setDescription}
            max={limits.description}
            multiline
            rows={6}
            hint="A short summary. Longer material belongs in comments or linked documents."
          />
          <DateTimeField
            label="Detected at"
            name="detectedAt"
            value={detectedAt}
            onChange={setDetectedAt}
            hint="When the incident was detected, if not now."
          />
          <SelectField
            label="Category"
            name="categoryId"
            value={categoryId}
            options={categories.map((category) => ({ value: category.id, label: category.name }))}
            onChange={setCategoryId}
          />
          <div className="form-row">
            <SelectField
              label="Impact"
              name="impact"
              value={impact}
              options={levels}
              onChange={setImpact}
            />
            <SelectField
              label="Urgency"
              name="urgency"
              value={urgency}
              options={levels}
              onChange={setUrgency}
            />
          </div>
          <p className="matrix" aria-live="polite">
            Matrix priority: <output className="matrix-priority">{matrix ?? "—"}</output>
          </p>
        </FormErrorContext.Provider>
        <ErrorMessage error={state.error} id={errorId} />
        <div className="form-actions">
          <button type="submit" disabled={state.fetching}>
            {state.fetching ? "Reporting…" : "Report incident"}
          </button>
        </div>
      </form>
    </section>
  );
}
