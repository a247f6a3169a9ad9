import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ApolloServerPluginSubscriptionCallback } from '@apollo/server/plugin/subscriptionCallback';
import { GraphQLError, getVariableValues, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { describeValue } from '../errors.js';
import type { GraphQLContext } from '../graphql/context.js';
import { formatError } from '../graphql/errors.js';
import { timeLimit } from '../time-limit.js';

export type CallbackOptions = {
  /** SUBSCRIPTION_CALLBACK_URLS: a callback URL must lie under one of these; none refuses every callback subscription. */
  urlPrefixes: readonly string[];
  /** The time limit of one POST to a callback URL (WEBHOOK_TIMEOUT). */
  timeoutMs: number;
  log: Logger;
};

/** Longest id or verifier accepted: the router's are a UUID and a short token. */
const MAX_TOKEN_LENGTH = 256;

/** The callback protocol's extension of a request body, when it has one. */
export function callbackExtension(body: unknown): Record<string, unknown> | undefined {
  const extension = (body as { extensions?: { subscription?: unknown } } | undefined)?.extensions?.subscription;
  return extension !== null && typeof extension === 'object' ? (extension as Record<string, unknown>) : undefined;
}

/**
 * A subscription sent as a plain HTTP request, with no callback to stream to: refused before it
 * runs (its resolvers expect an event, which only a stream gives).
 */
const plainHttp: GraphQLRequestListener<GraphQLContext> = {
  async didResolveOperation({ operation }) {
    if (operation?.operation !== 'subscription') return;
    throw new GraphQLError(
      'A subscription streams over WebSocket (graphql-ws at /graphql) or, for a federation router, over the HTTP callback protocol (extensions.subscription); a plain HTTP request cannot carry it',
      { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
    );
  },
};

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

/** Whether a URL lies under a prefix: same scheme, host and port, and a path at or below the prefix's. */
function isUnder(url: URL, prefix: string): boolean {
  const base = new URL(prefix);
  const path = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return url.origin === base.origin && (url.pathname === base.pathname || url.pathname.startsWith(path));
}

/**
 * What refuses a callback subscription before anything is sent: the plugin reads the
 * extension as below (camelCase, or the router's older snake_case), so it is checked so.
 */
function refusal(extension: Record<string, unknown>, urlPrefixes: readonly string[]): GraphQLError | undefined {
  const callbackUrl = extension.callbackUrl || extension.callback_url;
  const id = extension.subscriptionId || extension.subscription_id;
  const heartbeat = extension.heartbeatIntervalMs ?? extension.heartbeat_interval_ms;
  if (urlPrefixes.length === 0) {
    return badInput('Subscriptions over the HTTP callback protocol are off: SUBSCRIPTION_CALLBACK_URLS names no callback URL');
  }
  let url: URL | undefined;
  try {
    url = typeof callbackUrl === 'string' ? new URL(callbackUrl) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || url.username || url.password || !urlPrefixes.some((prefix) => isUnder(url, prefix))) {
    return badInput(`extensions.subscription.callbackUrl ${describeValue(callbackUrl)} is not under a URL of SUBSCRIPTION_CALLBACK_URLS`);
  }
  for (const [name, value] of [
    ['subscriptionId', id],
    ['verifier', extension.verifier],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TOKEN_LENGTH) {
      return badInput(`extensions.subscription.${name} must be a string of 1 to ${MAX_TOKEN_LENGTH} characters, not ${describeValue(value)}`);
    }
  }
  if (heartbeat !== undefined && !(Number.isSafeInteger(heartbeat) && (heartbeat as number) >= 0)) {
    return badInput(`extensions.subscription.heartbeatIntervalMs must be a whole number of milliseconds (0: no heartbeat), not ${describeValue(heartbeat)}`);
  }
  return undefined;
}

/**
 * Apollo's subscription callback plugin (the protocol of a federation router in callback
 * mode), behind the checks every other request passes.
 *
 * The plugin subscribes in its willSendResponse, which Apollo runs for every answer, errors
 * included: on its own it would check the callback URL and run a document that failed
 * validation, the depth or cost limit, or whose variables do not fit. Here it runs only for
 * a request that reached responseForOperation, that is, passed all of them; the others get
 * the usual 400 and nothing is sent to the callback URL. The URL must lie under
 * SUBSCRIPTION_CALLBACK_URLS: it comes in a request, and the service would POST to it.
 *
 * The plugin posts execution results as they are, past Apollo's formatError: its fetcher
 * formats the errors of every message (named errors keep their code, anything else is masked
 * and logged), follows no redirect, and gives up on a POST after `timeoutMs` (a receiver
 * that never answers would otherwise hold the subscription, and its heartbeats, forever).
 */
export function subscriptionCallbackPlugin(opts: CallbackOptions): ApolloServerPlugin<GraphQLContext> {
  const format = formatError(opts.log);
  const shown = (error: GraphQLFormattedError) =>
    // Without a code it is no error of ours or GraphQL's: masked, its message logged.
    format(error, error.extensions?.code ? undefined : new Error(error.message));
  const inner = ApolloServerPluginSubscriptionCallback({
    fetcher: async (url, init) => {
      // Only a message with errors is rewritten; every next and check is sent as the plugin wrote it.
      const raw = init?.body;
      const body = typeof raw === 'string' && raw.includes('"errors"') ? JSON.stringify(formatted(JSON.parse(raw) as CallbackMessage, shown)) : raw;
      const limit = timeLimit(opts.timeoutMs);
      try {
        const response = await fetch(url, { ...init, body, redirect: 'manual', signal: limit.signal });
        // The plugin reads only the status; reading the body frees the connection for the next POST.
        await response.arrayBuffer();
        return response;
      } finally {
        limit.clear();
      }
    },
  }) as ApolloServerPlugin<GraphQLContext>;

  return {
    async serverWillStart(service) {
      return inner.serverWillStart?.(service);
    },
    async requestDidStart(requestContext) {
      const extension = callbackExtension(requestContext.request);
      if (!extension) return plainHttp;
      const listener = (await inner.requestDidStart?.(requestContext)) as GraphQLRequestListener<GraphQLContext> | void;
      if (!listener) return;
      let accepted = false;
      return {
        async didResolveOperation({ schema, operation, request }) {
          if (operation?.operation !== 'subscription') {
            throw badInput(`extensions.subscription is for subscription operations, not ${operation ? `a ${operation.operation}` : 'a document without the operation to run'}`);
          }
          const refused = refusal(extension, opts.urlPrefixes);
          if (refused) throw refused;
          // Coerced here, as execution would over WebSocket: the plugin's subscribe() would only report them in `complete`, unformatted.
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
          if (coerced.errors) {
            const [first] = coerced.errors;
            throw new GraphQLError(first!.message, { nodes: first!.nodes, extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
          }
        },
        async responseForOperation(context) {
          accepted = true;
          return (await listener.responseForOperation?.(context)) ?? null;
        },
        async willSendResponse(context) {
          if (!accepted) return;
          await listener.willSendResponse?.(context);
          const { response } = context;
          // The plugin answers a failed `check` with 500 and its bare error; the protocol asks for a 400-level answer.
          if (response.http.status === 500 && response.body.kind === 'single' && response.body.singleResult.errors?.length) {
            const [error] = response.body.singleResult.errors;
            response.http.status = 400;
            response.body.singleResult.errors = [
              format({ message: `The callback URL did not confirm the subscription (check): ${error!.message}`, extensions: { code: 'BAD_USER_INPUT' } }, undefined),
            ];
          }
        },
      };
    },
  };
}

type CallbackMessage = { payload?: { errors?: GraphQLFormattedError[] }; errors?: GraphQLFormattedError[] };

function formatted(message: CallbackMessage, shown: (error: GraphQLFormattedError) => GraphQLFormattedError): CallbackMessage {
  return {
    ...message,
    ...(message.errors && { errors: message.errors.map(shown) }),
    ...(message.payload?.errors && { payload: { ...message.payload, errors: message.payload.errors.map(shown) } }),
  };
}
