import {
  GraphQLError,
  Kind,
  createSourceEventStream,
  execute,
  getOperationAST,
  print,
  visit,
  type ASTNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import { Published } from './published.js';
import { SharedResult } from './shared-frame.js';

export type ErrorFormatter = (error: GraphQLError) => GraphQLFormattedError;

/**
 * graphql's subscribe() with one change: an item that is Published is executed and
 * serialised once per operation shape and the result shared, instead of once per
 * subscriber. The root field's own arguments (types, after, filters) choose which items
 * a subscriber gets, not how an item renders, so they are left out of the shape.
 */
export function sharedSubscribe(formatError: ErrorFormatter) {
  return async (args: ExecutionArgs): Promise<AsyncIterableIterator<unknown> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return requestErrors(source);
    const shape = shapeOf(args);
    return mapItems<unknown, unknown>(source, (item) =>
      item instanceof Published ? renderPublished(args, shape, item, formatError) : execute({ ...args, rootValue: item }),
    );
  };
}

/**
 * The result of an operation for one published item: what graphql-ws sends as `next.payload`
 * and, byte for byte, what a webhook endpoint with the same document and variables carries
 * (endpoints/materializer.ts). Executed and serialised once per operation shape (shapeOf).
 */
export function renderPublished(args: ExecutionArgs, shape: string, item: Published<unknown>, formatError: ErrorFormatter): Promise<SharedResult> {
  return item.rendered(shape, async () => {
    const result = await execute({ ...args, rootValue: item, contextValue: item.contextValue() });
    return SharedResult.of(result.errors ? { ...result, errors: result.errors.map(formatError) as never } : result);
  });
}

/**
 * Errors before the first event: a variable that does not fit its type is the client's
 * input (BAD_USER_INPUT, as over HTTP); a resolver's error keeps what it carries.
 */
function requestErrors(result: ExecutionResult): ExecutionResult {
  const errors = result.errors?.map((e) =>
    e.path || e.extensions.code
      ? e
      : new GraphQLError(e.message, {
          nodes: e.nodes,
          source: e.source,
          positions: e.positions,
          originalError: e.originalError,
          extensions: { ...e.extensions, code: 'BAD_USER_INPUT' },
        }),
  );
  return { ...result, errors };
}

/** The operation text and the variables it uses below its root field. */
export function shapeOf(args: ExecutionArgs): string {
  const text = args.document.loc?.source.body ?? print(args.document);
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return text;
  const used = new Set<string>();
  const collect = (node: ASTNode) =>
    visit(node, {
      Variable(variable) {
        used.add(variable.name.value);
      },
    });
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      selection.directives?.forEach(collect);
      if (selection.selectionSet) collect(selection.selectionSet);
    } else {
      collect(selection);
    }
  }
  for (const definition of args.document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) collect(definition);
  const values = args.variableValues ?? {};
  const relevant = [...used].sort().map((name) => [name, values[name]]);
  return `${args.operationName ?? ''}\n${text}\n${JSON.stringify(relevant)}`;
}

/** Maps an async iterator; return() reaches the source at once, even while a next() waits. */
function mapItems<T, U>(source: AsyncIterable<T>, map: (item: T) => Promise<U> | U): AsyncIterableIterator<U> {
  const iterator = source[Symbol.asyncIterator]();
  const done: IteratorReturnResult<undefined> = { value: undefined, done: true };
  return {
    async next() {
      const result = await iterator.next();
      if (result.done) return done;
      return { value: await map(result.value), done: false };
    },
    async return() {
      await iterator.return?.();
      return done;
    },
    async throw(error: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
