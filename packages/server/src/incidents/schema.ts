import { allowedActions } from "@incident/shared";
import { builder } from "../builder";
import { CategoryRef } from "../categories/schema";
import { IncidentEventRef } from "../events/schema";
import { TeamRef, UserRef } from "../teams/schema";
import { IncidentStatusEnum, LevelEnum, PriorityEnum } from "./enums";
import type { IncidentView } from "./view";

export const IncidentRef = builder.objectRef<IncidentView>("Incident");

IncidentRef.implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    key: t.exposeString("key", { description: "Human key such as INC-42." }),
    number: t.exposeInt("number"),
    externalRef: t.exposeString("externalRef", {
      nullable: true,
      description: "Reference in the system the incident came from, such as a ServiceNow number.",
    }),
    title: t.exposeString("title"),
    description: t.exposeString("description"),
    status: t.expose("status", { type: IncidentStatusEnum }),
    impact: t.expose("impact", { type: LevelEnum, nullable: true }),
    urgency: t.expose("urgency", { type: LevelEnum, nullable: true }),
    priority: t.expose("priority", { type: PriorityEnum, nullable: true }),
    priorityOverridden: t.exposeBoolean("priorityOverride", {
      description: "True when a manager set a priority other than the matrix value.",
    }),
    overrideReason: t.exposeString("overrideReason", { nullable: true }),
    category: t.expose("category", { type: CategoryRef, nullable: true }),
    team: t.expose("team", { type: TeamRef, nullable: true }),
    manager: t.expose("manager", { type: UserRef, nullable: true }),
    reporter: t.expose("reporter", { type: UserRef }),
    detectedAt: t.expose("detectedAt", { type: "DateTime" }),
    acknowledgedAt: t.expose("acknowledgedAt", {
      type: "DateTime",
      nullable: true,
      description: "First acknowledgement; kept when the incident is reopened.",
    }),
    resolvedAt: t.expose("resolvedAt", {
      type: "DateTime",
      nullable: true,
      description: "Latest resolution; cleared when the incident is reopened.",
    }),
    closedAt: t.expose("closedAt", { type: "DateTime", nullable: true }),
    cancelledAt: t.expose("cancelledAt", { type: "DateTime", nullable: true }),
    lastEventAt: t.expose("lastEventAt", { type: "DateTime" }),
    escalationLevel: t.exposeInt("escalationLevel"),
    reopenCount: t.exposeInt("reopenCount"),
    resolution: t.exposeString("resolution", { nullable: true }),
    cancelReason: t.exposeString("cancelReason", { nullable: true }),
    problemRef: t.exposeString("problemRef", { nullable: true }),
    postMortemUrl: t.exposeString("postMortemUrl", { nullable: true }),
    version: t.exposeInt("version", {
      description: "Incremented by every change; tells a client which of two states is newer.",
    }),
    allowedActions: t.stringList({
      description: "Actions the status machine allows next, such as acknowledge or resolve.",
      resolve: (incident) => allowedActions(incident.status),
    }),
    timeline: t.field({
      type: [IncidentEventRef],
      description: "Every event of the incident, oldest first.",
      resolve: (incident, _args, ctx) => ctx.loaders.timeline.load(incident.id),
    }),
  }),
});
