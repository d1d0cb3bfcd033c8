import { characterCount } from "@incident/shared";
import type { SourceIncident } from "./source";
import { formatSourceTime } from "./time";

/** Cuts text to at most max code points, ending with an ellipsis when it was cut. */
export function truncate(text: string, max: number): string {
  if (characterCount(text) <= max) return text;
  return `${[...text].slice(0, max - 1).join("")}…`;
}

/** Builds a title such as "ServiceNow INC0000045: Category 55 / Subcategory 170". */
export function titleOf(incident: SourceIncident): string {
  const category = incident.rows.find((row) => row.category !== null)?.category ?? null;
  const subcategory =
    incident.rows.find((row) => row.details.subcategory !== null)?.details.subcategory ?? null;
  const subject = [category, subcategory].filter((part) => part !== null).join(" / ");
  return `ServiceNow ${incident.number}: ${subject === "" ? "uncategorized" : subject}`;
}

/** Lists the reporting details of the first update, leaving out the missing ones. */
export function descriptionOf(incident: SourceIncident): string {
  const [first] = incident.rows;
  const { details } = first;
  const lines = [
    `Imported from a ServiceNow incident log, where it is ${incident.number}.`,
    ["Caller", details.caller],
    ["Opened by", details.openedBy],
    ["Opened at", first.openedAt && `${formatSourceTime(first.openedAt)} (log time read as UTC)`],
    ["Location", details.location],
    ["Contact type", details.contactType],
    ["Symptom", details.symptom],
    ["Configuration item", details.configurationItem],
  ];
  return lines
    .filter((line) => typeof line === "string" || line[1] !== null)
    .map((line) => (typeof line === "string" ? line : `${line[0]}: ${line[1]}`))
    .join("\n");
}
