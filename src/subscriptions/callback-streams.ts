import { GraphQLError } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import type { Loaders } from '../graphql/loaders.js';
import { Published } from './published.js';
import type { SubscriptionStreams } from './streams.js';

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/** The context an item's fields resolve in; shared by the context's copies (Apollo copies a context per operation). */
type EventScope = { event?: GraphQLContext };

/**
 * The context of one subscription served with the HTTP callback protocol, over the streams a
 * WebSocket's subscriptions read.
 *
 * graphql's subscribe(), which Apollo's callback plugin runs, executes every item in the
 * request's context: one EntityManager fork and one set of loaders for as long as the
 * subscription lives, growing with every entity read and answering later events with what the
 * first ones loaded. So each item is executed in its own context instead (a fresh fork and
 * loaders, the one a WebSocket subscriber's render of that item uses): the plugin executes one
 * item at a time, right after the stream gives it, so the scope is the item's until the next.
 *
 * A subscriber that falls `bufferSize` events behind (a callback receiver slower than the
 * events) gets an error as its next item, where a WebSocket is closed with 1013: the plugin
 * then sends `complete` with that error and the subscription ends instead of buffering more.
 */
export function callbackContext(
  base: GraphQLContext,
  streams: (onOverflow: () => void) => SubscriptionStreams,
  bufferSize: number,
  /** Registers what ends the subscription with an error from outside (its token revoked, regenerated or expired); returns what unregisters it. */
  watch: (end: (error: GraphQLError) => void) => () => void,
): GraphQLContext {
  let end!: (error: GraphQLError) => void;
  const ended = new Promise<never>((_, reject) => {
    end = reject;
  });
  // Read only by a next() that races it; nothing may be waiting when it rejects.
  ended.catch(() => {});
  // Watched once a stream exists, not for the request: one refused before it subscribes (its
  // document, variables, limits or the router's check) never returns a stream to unwatch.
  let unwatch: (() => void) | undefined;
  const scope: EventScope = {};
  const source = streams(() =>
    end(
      new GraphQLError(`Subscriber fell over ${bufferSize} events behind; subscribe again (events(after:) resumes from the last cursor)`, {
        extensions: { code: 'SUBSCRIBER_TOO_SLOW', limit: bufferSize },
      }),
    ),
  );
  const scoped = <T>(iterator: AsyncIterableIterator<T>) => {
    unwatch ??= watch(end);
    return eventScoped(iterator, ended, scope, unwatch);
  };
  return new CallbackContext(base, scope, {
    events: async (args) => scoped(await source.events(args)),
    changes: (selection) => scoped(source.changes(selection)),
    deliveries: (channel) => scoped(source.deliveries(channel)),
  });
}

/** The stream's items; each Published one becomes the scope its fields resolve in. An overflow or a token no longer valid ends it with its error. */
function eventScoped<T>(source: AsyncIterableIterator<T>, ended: Promise<never>, scope: EventScope, unwatch: () => void): AsyncIterableIterator<T> {
  return {
    async next() {
      const result = await Promise.race([source.next(), ended]);
      if (!result.done && result.value instanceof Published) scope.event = result.value.contextValue();
      return result;
    },
    async return() {
      unwatch();
      await source.return?.();
      return DONE;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * The getters live on the prototype and the scope is an object: Apollo copies the context
 * with Object.assign, which would read own getters once and copy a plain field's value.
 */
class CallbackContext implements GraphQLContext {
  readonly sql: GraphQLContext['sql'];
  readonly changes: GraphQLContext['changes'];
  readonly reads: GraphQLContext['reads'];
  readonly events: GraphQLContext['events'];
  readonly services: GraphQLContext['services'];
  readonly viewer: GraphQLContext['viewer'];

  constructor(
    private readonly base: GraphQLContext,
    private readonly scope: EventScope,
    readonly subscriptions: SubscriptionStreams,
  ) {
    this.sql = base.sql;
    this.changes = base.changes;
    this.reads = base.reads;
    this.events = base.events;
    this.viewer = base.viewer;
    this.services = base.services;
  }

  get em(): GraphQLContext['em'] {
    return (this.scope.event ?? this.base).em;
  }

  get loaders(): Loaders {
    return (this.scope.event ?? this.base).loaders;
  }
}
