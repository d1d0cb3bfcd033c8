import { builder } from "../builder";
import type { IncidentEvent, User } from "../generated/prisma/client";
import { EventTypeEnum } from "../incidents/enums";
import { IncidentRef } from "../incidents/schema";
import { fromSnapshot } from "../incidents/view";
import { UserRef } from "../teams/schema";

/** A stored event with its actor, as the GraphQL `IncidentEvent` type resolves it. */
export type EventView = IncidentEvent & { actor: User };

interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

const FieldChangeRef = builder.objectRef<FieldChange>("FieldChange").implement({
  description: "One field that an event changed, with its values as JSON.",
  fields: (t) => ({
    field: t.exposeString("field"),
    before: t.expose("before", { type: "JSON", nullable: true }),
    after: t.expose("after", { type: "JSON", nullable: true }),
  }),
});

export const IncidentEventRef = builder.objectRef<EventView>("IncidentEvent");

IncidentEventRef.implement({
  fields: (t) => ({
    id: t.id({
      description: "Gap-free, increasing in commit order; pass it as `after` to resume a stream.",
      resolve: (event) => event.id.toString(),
    }),
    type: t.expose("type", { type: EventTypeEnum }),
    occurredAt: t.expose("occurredAt", {
      type: "DateTime",
      description: "When the change really happened.",
    }),
    recordedAt: t.expose("recordedAt", { type: "DateTime", description: "When it was stored." }),
    actor: t.expose("actor", { type: UserRef }),
    note: t.exposeString("note", {
      nullable: true,
      description: "Reason, resolution summary or comment body.",
    }),
    before: t.expose("before", { type: "JSON", description: "Changed fields before the event." }),
    after: t.expose("after", { type: "JSON", description: "Changed fields after the event." }),
    changes: t.field({
      type: [FieldChangeRef],
      resolve: (event) => {
        const before = (event.before ?? {}) as Record<string, unknown>;
        const after = (event.after ?? {}) as Record<string, unknown>;
        return Object.keys(after).map((field) => ({
          field,
          before: before[field] ?? null,
          after: after[field] ?? null,
        }));
      },
    }),
    incident: t.field({
      type: IncidentRef,
      description: "The incident as it was right after this event.",
      resolve: (event) => fromSnapshot(event.snapshot),
    }),
  }),
});
