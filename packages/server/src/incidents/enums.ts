import { EVENT_TYPES, INCIDENT_STATUSES, LEVELS, PRIORITIES } from "@incident/shared";
import { builder } from "../builder";

export const IncidentStatusEnum = builder.enumType("IncidentStatus", {
  values: INCIDENT_STATUSES,
});
export const LevelEnum = builder.enumType("Level", {
  description: "Impact or urgency level.",
  values: LEVELS,
});
export const PriorityEnum = builder.enumType("Priority", {
  description: "Priority from the impact-urgency matrix; P1 is the most urgent.",
  values: PRIORITIES,
});
export const EventTypeEnum = builder.enumType("EventType", { values: EVENT_TYPES });
