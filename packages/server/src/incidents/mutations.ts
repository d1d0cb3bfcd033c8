import { checkText, DEFAULT_LIMITS, type LifecycleAction } from "@incident/shared";
import { builder } from "../builder";
import type { GraphQLContext } from "../context";
import { invalid, parseId, unwrap } from "../errors";
import { LevelEnum, PriorityEnum } from "./enums";
import { IncidentRef } from "./schema";
import { changeIncident, createIncident } from "./service";
import type { IncidentChanges } from "./view";

const CreateIncidentInput = builder.inputType("CreateIncidentInput", {
  fields: (t) => ({
    title: t.string({ required: true }),
    description: t.string({ required: false }),
    detectedAt: t.field({
      type: "DateTime",
      required: false,
      description: "When the incident was detected; defaults to occurredAt.",
    }),
    occurredAt: t.field({
      type: "DateTime",
      required: false,
      description: "When it was reported; defaults to now.",
    }),
    categoryId: t.id({ required: false }),
    impact: t.field({ type: LevelEnum, required: false }),
    urgency: t.field({ type: LevelEnum, required: false }),
    externalRef: t.string({
      required: false,
      description: "Unique reference in the reporting system, such as a monitoring alert id.",
    }),
  }),
});

builder.mutationField("createIncident", (t) =>
  t.field({
    type: IncidentRef,
    args: { input: t.arg({ type: CreateIncidentInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      createIncident(ctx.services, ctx.actor, {
        ...input,
        categoryId: input.categoryId == null ? null : parseId("categoryId", input.categoryId),
      }),
  }),
);

type InputFields = Parameters<Parameters<typeof builder.inputType>[1]["fields"]>[0];

/**
 * Declares an incident mutation whose input contains the key, an optional occurredAt and the
 * given fields, and which applies one lifecycle action.
 */
function incidentMutation<Fields extends Record<string, unknown>>(
  name: string,
  description: string,
  fields: (t: InputFields) => Fields,
  toAction: (input: Record<string, unknown>) => LifecycleAction,
  extra?: (input: Record<string, unknown>) => IncidentChanges,
) {
  const inputName = `${name[0]?.toUpperCase()}${name.slice(1)}Input`;
  const Input = builder.inputType(inputName, {
    fields: (t) => ({
      key: t.string({ required: true }),
      occurredAt: t.field({
        type: "DateTime",
        required: false,
        description: "When it really happened; defaults to now. Not in the future.",
      }),
      expectedVersion: t.int({
        required: false,
        description: "The incident version the caller last saw; if it changed since, CONFLICT.",
      }),
      ...(fields(t) as Record<string, never>),
    }),
  });
  builder.mutationField(name, (t) =>
    t.field({
      type: IncidentRef,
      description,
      args: { input: t.arg({ type: Input, required: true }) },
      resolve: (_root, { input }, ctx: GraphQLContext) => {
        const values = input as Record<string, unknown> & {
          key: string;
          occurredAt?: Date | null;
          expectedVersion?: number | null;
        };
        return changeIncident(ctx.services, ctx.actor, values.key, toAction(values), {
          occurredAt: values.occurredAt ?? null,
          expectedVersion: values.expectedVersion ?? null,
          ...(extra ? { extra: extra(values) } : {}),
        });
      },
    }),
  );
}

/** Validates the problem reference and post-mortem link of a closure. */
function closureLinks(problemRef: string | null, postMortemUrl: string | null) {
  const links: IncidentChanges = {};
  const ref = problemRef?.trim();
  if (ref) {
    links.problemRef = unwrap(
      checkText("problemRef", ref, DEFAULT_LIMITS.name, { singleLine: true }),
    );
  }
  const url = postMortemUrl?.trim();
  if (url) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
      throw invalid("postMortemUrl", `postMortemUrl must be an http or https URL; got "${url}"`);
    }
    links.postMortemUrl = unwrap(checkText("postMortemUrl", url, 2_000, { singleLine: true }));
  }
  return links;
}

const text = (value: unknown) => (typeof value === "string" ? value : null);
const id = (field: string, value: unknown) =>
  value == null ? null : parseId(field, value as string);

incidentMutation(
  "categorizeIncident",
  "Sets the category; routes the incident to the category's team when no team owns it.",
  (t) => ({ categoryId: t.id({ required: true }) }),
  (input) => ({ type: "categorize", categoryId: id("categoryId", input.categoryId) }),
);

incidentMutation(
  "prioritizeIncident",
  "Sets impact and urgency; the priority follows the matrix unless overridden with a reason.",
  (t) => ({
    impact: t.field({ type: LevelEnum, required: true }),
    urgency: t.field({ type: LevelEnum, required: true }),
    priorityOverride: t.field({ type: PriorityEnum, required: false }),
    overrideReason: t.string({ required: false }),
  }),
  (input) => ({
    type: "prioritize",
    impact: input.impact as never,
    urgency: input.urgency as never,
    priorityOverride: (input.priorityOverride as never) ?? null,
    overrideReason: text(input.overrideReason),
  }),
);

incidentMutation(
  "acknowledgeIncident",
  "The owning team starts work; a second acknowledgement is a CONFLICT.",
  () => ({}),
  () => ({ type: "acknowledge" }),
);

incidentMutation(
  "assignIncident",
  "Hands the incident to a team without escalating.",
  (t) => ({ teamId: t.id({ required: true }) }),
  (input) => ({ type: "assign", teamId: id("teamId", input.teamId) }),
);

incidentMutation(
  "escalateIncident",
  "Hands a responding incident to another team with a reason; raises the escalation level.",
  (t) => ({ teamId: t.id({ required: true }), reason: t.string({ required: true }) }),
  (input) => ({ type: "escalate", teamId: id("teamId", input.teamId), reason: text(input.reason) }),
);

incidentMutation(
  "holdIncident",
  "Records that the response waits on someone (the user, a vendor, a problem).",
  (t) => ({ reason: t.string({ required: true }) }),
  (input) => ({ type: "hold", reason: text(input.reason) }),
);

incidentMutation(
  "resolveIncident",
  "Resolves a responding incident; the resolution summary is required.",
  (t) => ({ resolution: t.string({ required: true }) }),
  (input) => ({ type: "resolve", resolution: text(input.resolution) }),
);

incidentMutation(
  "closeIncident",
  "Closes a resolved incident, optionally linking a problem record and a post-mortem.",
  (t) => ({
    problemRef: t.string({ required: false }),
    postMortemUrl: t.string({ required: false }),
  }),
  () => ({ type: "close" }),
  (input) => closureLinks(text(input.problemRef), text(input.postMortemUrl)),
);

incidentMutation(
  "reopenIncident",
  "Reopens a resolved or closed incident with a reason; it returns to RESPONDING.",
  (t) => ({ reason: t.string({ required: true }) }),
  (input) => ({ type: "reopen", reason: text(input.reason) }),
);

incidentMutation(
  "cancelIncident",
  "Cancels an open incident (a duplicate or a false alarm) with a reason.",
  (t) => ({ reason: t.string({ required: true }) }),
  (input) => ({ type: "cancel", reason: text(input.reason) }),
);

incidentMutation(
  "addComment",
  "Adds a comment to the timeline, in any status.",
  (t) => ({ body: t.string({ required: true }) }),
  (input) => ({ type: "comment", body: text(input.body) }),
);
