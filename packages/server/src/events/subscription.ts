import { builder } from "../builder";
import { invalid } from "../errors";
import { IncidentFilterInput, toFilter } from "../incidents/inputs";
import { IncidentEventRef } from "./schema";
import { startCursor, streamEvents } from "./stream";

function parseEventId(value: string | number | null | undefined, field = "after"): bigint | null {
  if (value == null) return null;
  const text = String(value);
  if (!/^(0|[1-9][0-9]{0,18})$/.test(text)) {
    throw invalid(field, `${field} must be an event id (a non-negative integer); got "${text}"`);
  }
  return BigInt(text);
}

/**
 * Returns the Last-Event-ID header that an EventSource sends when it reconnects a server-sent
 * events stream. It contains the id of the last event received, newer than the `after` that
 * the stream began with.
 */
function lastEventIdHeader(ctx: object): string | null {
  const request = (ctx as { request?: { headers?: Headers } }).request;
  return request?.headers?.get?.("last-event-id") ?? null;
}

/**
 * Wraps a generator so that ending the subscription also aborts the wait inside it. A plain
 * generator blocked on an await cannot be stopped until that await settles.
 */
function abortable<T>(start: (signal: AbortSignal) => AsyncGenerator<T>): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const generator = start(controller.signal);
  return {
    next: () => generator.next(),
    return: (value?: unknown) => {
      controller.abort();
      return generator.return(value as T);
    },
    throw: (error?: unknown) => {
      controller.abort();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

builder.subscriptionField("incidentEvents", (t) =>
  t.field({
    type: IncidentEventRef,
    description:
      "Streams incident events oldest first: the stored ones after `after`, then live ones. " +
      "Without `after`, starts with the next event. Over server-sent events, a Last-Event-ID " +
      "header takes the place of `after`. The event that moves an incident out of the filter " +
      "is delivered; later ones of that incident are not.",
    args: {
      filter: t.arg({ type: IncidentFilterInput, required: false }),
      after: t.arg.id({ required: false }),
    },
    subscribe: async (_root, args, ctx) => {
      const filter = toFilter(args.filter);
      for (const field of ["search", "detectedFrom", "detectedTo"] as const) {
        if (filter[field] != null) {
          throw invalid(`filter.${field}`, `filter.${field} is not supported by incidentEvents`);
        }
      }
      const { prisma, sql, bus } = ctx.services;
      const resumeFrom = parseEventId(lastEventIdHeader(ctx), "Last-Event-ID");
      const after = await startCursor(prisma, bus, resumeFrom ?? parseEventId(args.after));
      return abortable((signal) => streamEvents(sql, bus, { filter, after, signal }));
    },
    resolve: (event) => event,
  }),
);
