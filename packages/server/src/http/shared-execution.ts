import {
  type ASTNode,
  createSourceEventStream,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  GraphQLError,
  Kind,
  print,
  visit,
} from "graphql";
import type { GraphQLContext } from "../context";
import type { Logger } from "../logger";

/**
 * Results already computed per source event and operation. The event bus hands the same event
 * object to every subscriber that is live, so with a thousand subscribers on the same query an
 * event is executed once instead of a thousand times. Entries go with their event.
 */
const resultsByEvent = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

/**
 * Names the variables that the result of one event can depend on: those used anywhere but in
 * the arguments of the root fields. Root field arguments (the filter, `after`) shape the source
 * stream only, so subscribers that differ in them alone still share results.
 */
function variablesBelowRoot(args: ExecutionArgs): string[] {
  const used = new Set<string>();
  const collect = (node: ASTNode) =>
    visit(node, {
      Variable: (variable) => {
        used.add(variable.name.value);
      },
    });
  for (const definition of args.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) collect(definition);
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const selection of definition.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) {
        collect(selection);
        continue;
      }
      for (const directive of selection.directives ?? []) collect(directive);
      if (selection.selectionSet) collect(selection.selectionSet);
    }
  }
  return [...used].sort();
}

/** Identifies what an event's execution result depends on: operation, variables and actor. */
function operationKey(args: ExecutionArgs): string {
  const actor = (args.contextValue as GraphQLContext | undefined)?.actor?.id ?? "";
  const values = (args.variableValues ?? {}) as Record<string, unknown>;
  const variables = variablesBelowRoot(args).map((name) => [name, values[name] ?? null]);
  return `${actor}\n${args.operationName ?? ""}\n${JSON.stringify(variables)}\n${print(args.document)}`;
}

/** Replaces unexpected errors with a generic message, logging each once, as yoga does. */
function maskErrors(result: ExecutionResult, log: Logger): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((error) => {
    const original = error.originalError;
    if (!original || original instanceof GraphQLError) return error;
    log.error({ err: original, path: error.path }, "unexpected error in subscription event");
    return new GraphQLError("Unexpected error.", { path: error.path ?? undefined });
  });
  return { ...result, errors };
}

/**
 * Maps an iterator, forwarding return() to the source at once: a subscription ended while it
 * waits for the next event must stop that wait, not queue behind it.
 */
function mapIterator<T, U>(
  source: AsyncIterator<T>,
  map: (value: T) => Promise<U>,
): AsyncIterableIterator<U> {
  return {
    async next() {
      const item = await source.next();
      if (item.done) return { done: true, value: undefined };
      return { done: false, value: await map(item.value) };
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Runs a subscription as graphql-js does (a source stream, then one execution per event), but
 * shares each event's execution among subscribers with the same operation, variables and actor.
 */
export async function subscribeShared(
  args: ExecutionArgs,
  log: Logger,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return maskErrors(source as ExecutionResult, log);

  const key = operationKey(args);
  const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  return mapIterator(iterator, (event) => {
    if (typeof event !== "object" || event === null) {
      return Promise.resolve(execute({ ...args, rootValue: event }));
    }
    let results = resultsByEvent.get(event);
    if (!results) {
      results = new Map();
      resultsByEvent.set(event, results);
    }
    let result = results.get(key);
    if (!result) {
      result = Promise.resolve(execute({ ...args, rootValue: event })).then((r) =>
        maskErrors(r, log),
      );
      results.set(key, result);
    }
    return result;
  });
}
