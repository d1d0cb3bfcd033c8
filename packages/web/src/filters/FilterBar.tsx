import { INCIDENT_STATUSES, PRIORITIES } from "@incident/shared";
import { type RefObject, useEffect, useId, useRef, useState } from "react";
import type { Named } from "../app/lookups";
import { labelOf } from "../app/ui";
import { type BoardFilter, EMPTY_FILTER, isEmptyFilter } from "./filter";

/** Milliseconds the search box waits after the last key before it filters. */
const SEARCH_DELAY_MS = 300;

interface Option {
  value: string;
  label: string;
}

function toggle(values: string[], value: string, on: boolean): string[] {
  return on ? [...values, value] : values.filter((item) => item !== value);
}

/** Renders a drop-down group of checkboxes, so a list of values fits in a small space. */
function CheckboxGroup(props: {
  legend: string;
  options: Option[];
  selected: string[];
  onChange(values: string[]): void;
}) {
  const count = props.selected.length;
  return (
    <details className="filter-group" data-filter-group={props.legend}>
      <summary>
        {props.legend}
        {count > 0 ? <span className="count"> ({count})</span> : null}
      </summary>
      <fieldset>
        <legend className="visually-hidden">{props.legend}</legend>
        {props.options.map((option) => (
          <label key={option.value} className="check">
            <input
              type="checkbox"
              name={props.legend}
              value={option.value}
              checked={props.selected.includes(option.value)}
              onChange={(event) =>
                props.onChange(toggle(props.selected, option.value, event.target.checked))
              }
            />
            {option.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

function SearchBox(props: { value: string; onChange(value: string): void }) {
  const id = useId();
  const [text, setText] = useState(props.value);
  const sent = useRef(props.value);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const { value } = props;

  // Follows the URL when it changes from outside, such as the back button or "Clear filters".
  useEffect(() => {
    if (value === sent.current) return;
    sent.current = value;
    setText(value);
  }, [value]);

  useEffect(() => {
    const search = text.trim();
    if (search === sent.current) return;
    const timer = setTimeout(() => {
      sent.current = search;
      onChange.current(search);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]);

  return (
    <div className="search">
      <label htmlFor={id}>Search</label>
      <input
        id={id}
        type="search"
        value={text}
        placeholder="Key, reference, title or description"
        onChange={(event) => setText(event.target.value)}
      />
    </div>
  );
}

/** Renders the first and last day of detection. Either may be empty for an open window. */
function DetectionWindow(props: {
  from: string;
  to: string;
  onChange(window: { detectedFrom: string; detectedTo: string }): void;
}) {
  const fromId = useId();
  const toId = useId();
  return (
    <div className="detection-window">
      <div className="date-field">
        <label htmlFor={fromId}>Detected from</label>
        <input
          id={fromId}
          type="date"
          value={props.from}
          max={props.to || undefined}
          onChange={(event) =>
            props.onChange({ detectedFrom: event.target.value, detectedTo: props.to })
          }
        />
      </div>
      <div className="date-field">
        <label htmlFor={toId}>Detected to</label>
        <input
          id={toId}
          type="date"
          value={props.to}
          min={props.from || undefined}
          onChange={(event) =>
            props.onChange({ detectedFrom: props.from, detectedTo: event.target.value })
          }
        />
      </div>
    </div>
  );
}

/**
 * Keeps at most one drop-down group of the bar open, and closes it on a pointer press outside
 * it or on Escape. The `open` attribute of each `<details>` element is the only state, so a key
 * pressed right after a click acts on the group that the click opened.
 */
function useSingleOpenGroup(bar: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const element = bar.current;
    if (!element) return;
    const openGroups = () => [
      ...element.querySelectorAll<HTMLDetailsElement>("details.filter-group[open]"),
    ];

    // The toggle event does not bubble, so the bar listens in the capture phase.
    const onToggle = (event: Event) => {
      const opened = event.target;
      if (!(opened instanceof HTMLDetailsElement) || !opened.open) return;
      for (const group of openGroups()) {
        if (group !== opened) group.open = false;
      }
    };
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target;
      for (const group of openGroups()) {
        if (!(target instanceof Node && group.contains(target))) group.open = false;
      }
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      for (const group of openGroups()) {
        // Focus inside the closing panel would be lost, so it returns to the group's summary.
        if (group.contains(document.activeElement)) group.querySelector("summary")?.focus();
        group.open = false;
      }
    };

    element.addEventListener("toggle", onToggle, true);
    document.addEventListener("pointerdown", onPointerDown);
    document.addEventListener("keydown", onKeyDown);
    return () => {
      element.removeEventListener("toggle", onToggle, true);
      document.removeEventListener("pointerdown", onPointerDown);
      document.removeEventListener("keydown", onKeyDown);
    };
  }, [bar]);
}

/**
 * Renders the filters for status, priority, category, team, text and detection days. The page
 * keeps them in the URL.
 */
export function FilterBar(props: {
  filter: BoardFilter;
  teams: Named[];
  categories: Named[];
  onChange(filter: BoardFilter, options?: { replace?: boolean }): void;
}) {
  const { filter, onChange } = props;
  const bar = useRef<HTMLElement>(null);
  useSingleOpenGroup(bar);
  const named = (list: Named[]) => list.map((item) => ({ value: item.id, label: item.name }));
  const enums = (list: readonly string[]) => list.map((value) => ({ value, label: value }));
  return (
    <search ref={bar} className="filter-bar" aria-label="Filter incidents">
      <SearchBox
        value={filter.search}
        onChange={(search) => onChange({ ...filter, search }, { replace: true })}
      />
      <DetectionWindow
        from={filter.detectedFrom}
        to={filter.detectedTo}
        onChange={(window) => onChange({ ...filter, ...window })}
      />
      <CheckboxGroup
        legend="Status"
        options={enums(INCIDENT_STATUSES).map((o) => ({ ...o, label: labelOf(o.value) }))}
        selected={filter.status}
        onChange={(status) => onChange({ ...filter, status: status as BoardFilter["status"] })}
      />
      <CheckboxGroup
        legend="Priority"
        options={enums(PRIORITIES)}
        selected={filter.priority}
        onChange={(priority) =>
          onChange({ ...filter, priority: priority as BoardFilter["priority"] })
        }
      />
      <CheckboxGroup
        legend="Category"
        options={named(props.categories)}
        selected={filter.categoryId}
        onChange={(categoryId) => onChange({ ...filter, categoryId })}
      />
      <CheckboxGroup
        legend="Team"
        options={named(props.teams)}
        selected={filter.teamId}
        onChange={(teamId) => onChange({ ...filter, teamId })}
      />
      <button
        type="button"
        className="secondary"
        disabled={isEmptyFilter(filter)}
        onClick={() => onChange(EMPTY_FILTER)}
      >
        Clear filters
      </button>
    </search>
  );
}
