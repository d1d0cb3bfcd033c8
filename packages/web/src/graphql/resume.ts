import type { ExecutionResult, SubscriptionForwarder, SubscriptionOperation } from "@urql/core";
import type { Client as WebSocketClient } from "graphql-ws";

/** The last event id that the dashboard received, to resume the stream after it. */
export interface EventCursor {
  lastEventId: string | null;
}

/** Subscriptions that resume after the last event: operation name and its root field. */
const RESUMABLE: Record<string, string> = { LiveIncidentEvents: "incidentEvents" };

interface SubscriptionPayload {
  query: string;
  operationName?: string;
  variables: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

function eventIdOf(result: { data?: unknown }, field: string): string | null {
  const data = result.data as Record<string, { id?: unknown } | null> | null | undefined;
  const id = data?.[field]?.id;
  return typeof id === "string" ? id : null;
}

/**
 * Returns urql's `forwardSubscription` over a graphql-ws client. graphql-ws 6 serializes the
 * same payload object again on every reconnect, so for a resumable subscription this keeps the
 * payload's `after` variable at the last event id received. The resubscription then starts
 * right after it and misses nothing. `cursor` stores the id too, for a fresh subscription.
 */
export function forwardSubscription(
  live: Pick<WebSocketClient, "subscribe">,
  cursor: EventCursor,
): SubscriptionForwarder {
  return (request: SubscriptionOperation) => {
    const payload: SubscriptionPayload = {
      ...request,
      query: request.query ?? "",
      variables: { ...(request.variables as Record<string, unknown> | undefined) },
    };
    const field = request.operationName ? RESUMABLE[request.operationName] : undefined;
    if (field && cursor.lastEventId !== null) payload.variables.after = cursor.lastEventId;

    return {
      subscribe(sink) {
        const unsubscribe = live.subscribe(payload, {
          next(result) {
            const id = field ? eventIdOf(result, field) : null;
            if (id !== null) {
              cursor.lastEventId = id;
              payload.variables.after = id;
            }
            // graphql-ws delivers formatted errors, which urql reads as its ExecutionResult.
            sink.next(result as ExecutionResult);
          },
          error: (error) => sink.error(error),
          complete: () => sink.complete(),
        });
        return { unsubscribe };
      },
    };
  };
}
