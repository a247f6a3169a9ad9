import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { MikroORM } from '@mikro-orm/postgresql';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { bearerToken } from '../auth/tokens.js';
import { apolloRoute } from './apollo-route.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { Viewer } from '../auth/scopes.js';
import { scopeError } from '../graphql/scope-check.js';
import { migrationsApplied } from '../db/database.js';
import { Document, type IDocument } from '../domain/documents/document.entity.js';
import type { EventSettings } from '../domain/events-context.js';
import type { SubscriptionDocument } from '../endpoints/subscription-document.js';
import { documentPayload } from '../events/payloads.js';
import type { GraphQLContext } from '../graphql/context.js';
import { depthLimit } from '../graphql/depth-limit.js';
import { formatError, serviceUnavailable } from '../graphql/errors.js';
import { MAX_QUERY_TOKENS } from '../graphql/limits.js';
import { requestLimitErrors } from '../graphql/request-limits.js';
import type { Metrics } from '../metrics.js';
import type { ContextFactory } from '../graphql/context-factory.js';
import { answerWithin } from '../db/bounded-wait.js';
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../db/unavailable.js';
import { currentRequestScope, requestIdFor, runInRequestScope } from '../request-scope.js';
import { callbackContext } from '../subscriptions/callback-streams.js';
import type { CallbackTokens } from './callback-tokens.js';
import type { SubscriptionStreams } from '../subscriptions/streams.js';
import { callbackExtension, subscriptionCallbackPlugin } from './subscription-callback.js';
import { webhookContractRoute } from './webhook-contract-route.js';

/** How long /readyz waits for the database before it says it cannot reach it: it answers within a second. */
const READINESS_TIMEOUT_MS = 500;

/** Distinct operation names the duration histogram keeps apart; clients choose names, so later ones share one label. */
const MAX_OPERATION_LABELS = 200;

export type HttpDeps = {
  orm: MikroORM;
  tokens: TokenVerifier;
  /** The per-request context; its EntityManager is forked only when a resolver uses it. */
  makeContext: ContextFactory;
  schema: GraphQLSchema;
  httpServer: Server;
  log: Logger;
  metrics: Metrics;
  events: EventSettings;
  maxDepth: number;
  /** The most an operation may cost (GRAPHQL_MAX_COST). */
  maxCost: number;
  /** The largest request body, in bytes. */
  maxBody: number;
  extraPlugins: ApolloServerPlugin<GraphQLContext>[];
  /** The streams of one subscription served with the HTTP callback protocol; onOverflow runs when it falls too far behind. */
  streams(onOverflow: () => void): SubscriptionStreams;
  /** Events a callback subscription may have waiting before it is ended (WS_SUBSCRIBER_BUFFER). */
  bufferSize: number;
  /** The tokens of the callback subscriptions: a token revoked, regenerated or expired ends them. */
  callbackTokens: CallbackTokens;
  /** Where callback URLs may point (SUBSCRIPTION_CALLBACK_URLS) and the time limit of one POST to them. */
  callback: { urlPrefixes: readonly string[]; timeoutMs: number };
  /** Checks a stored endpoint document as the materialiser does: what its webhook's published contract is made from. */
  checkDocument(text: string, variables: Record<string, unknown> | null): SubscriptionDocument;
  /** Routes beside /graphql (the inspector URLs, the console), before the error handler. */
  mount?: (app: Express) => void;
};

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** Checks the request's bearer token and returns it with its holder. */
async function authenticate(tokens: TokenVerifier, req: Request): Promise<{ token: string; viewer: Viewer }> {
  const header = req.headers.authorization;
  if (!header) throw unauthenticated('Missing bearer token: send Authorization: Bearer <token>');
  const token = bearerToken(header);
  if (!token) throw unauthenticated('The Authorization header is not of the form "Bearer <token>"');
  let viewer: Viewer | undefined;
  try {
    viewer = await tokens.verify(token);
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw serviceUnavailable();
    throw err;
  }
  if (!viewer) throw unauthenticated('The bearer token is not valid (revoked, expired or regenerated)');
  return { token, viewer };
}

export async function createHttpApp(deps: HttpDeps) {
  const { orm, log, metrics } = deps;
  const operationLabels = new Set<string>();
  const operationLabel = (name: string | undefined): string => {
    if (!name) return 'anonymous';
    if (operationLabels.has(name)) return name;
    if (operationLabels.size >= MAX_OPERATION_LABELS) return 'other';
    operationLabels.add(name);
    return name;
  };
  const apollo = new ApolloServer<GraphQLContext>({
    schema: deps.schema,
    // Clients authenticate with a bearer token, never a cookie, so there is no CSRF to prevent.
    csrfPrevention: false,
    introspection: true,
    validationRules: [depthLimit(deps.maxDepth)],
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    formatError: formatError(log),
    includeStacktraceInErrorResponses: false,
    // main.ts owns the signals. Apollo's own handler would stop only Apollo and then send the
    // signal again, which main.ts would take for a second one and exit at once.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: deps.httpServer }),
      // Apollo's landing page loads its explorer from Apollo's CDN; the console's explorer is served from this origin.
      ApolloServerPluginLandingPageDisabled(),
      // The schema gives no cache hints, so Apollo's cache-control plugin would only ever answer
      // no-store, after wrapping every resolver of every request to look for hints: no-store is
      // set below instead.
      ApolloServerPluginCacheControlDisabled(),
      {
        async requestDidStart() {
          const end = metrics.graphqlDuration.startTimer();
          // The operation's name as resolved from the document, whether or not the client sent operationName.
          return {
            willSendResponse: async ({ operationName, response }) => {
              end({ operation: operationLabel(operationName ?? undefined) });
              response.http.headers.set('cache-control', 'no-store');
              // An error thrown during execution cannot set the status itself: the whole answer is a 503 to retry.
              const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
              if (errors?.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) {
                metrics.serviceUnavailable.inc();
                response.http.status = 503;
                response.http.headers.set('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
              }
            },
          };
        },
      },
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ schema, document, operation, request }) {
              if (!operation) return;
              const [error] = requestLimitErrors(schema, document, operation, request.variables, deps.maxCost);
              if (error) throw new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, http: { status: 400 } } });
            },
          };
        },
      },
      {
        // The context refused a request without a valid token, so a viewer is there (and no scopes would refuse all).
        async requestDidStart({ contextValue }) {
          return {
            async didResolveOperation({ schema, document, operation }) {
              if (!operation) return;
              const refused = scopeError(schema, document, operation, contextValue.viewer?.scopes ?? []);
              if (refused) throw new GraphQLError(refused.message, { nodes: refused.nodes, extensions: { ...refused.extensions, http: { status: 403 } } });
            },
          };
        },
      },
      subscriptionCallbackPlugin({ ...deps.callback, log: log.child({ part: 'subscription-callback' }) }),
      ...deps.extraPlugins,
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  // express would hash every body it sends for an ETag; GraphQL answers say no-store, and the
  // console's files (express.static) keep their own.
  app.set('etag', false);
  app.use((req, res, next) => {
    const requestId = requestIdFor(req.headers['x-request-id']);
    const started = performance.now();
    // Read now: a mounted router rewrites req.path while it serves.
    const { method, path } = req;
    res.setHeader('x-request-id', requestId);
    res.on('finish', () => {
      const line = { requestId, method, path, status: res.statusCode, ms: Math.round(performance.now() - started) };
      if (res.statusCode >= 500) log.warn(line, 'request answered with an error');
      else log.debug(line, 'request');
    });
    runInRequestScope({ requestId }, next);
  });
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    try {
      const ready = await answerWithin(migrationsApplied(orm), READINESS_TIMEOUT_MS);
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'migrations pending' });
    } catch (err) {
      res.status(503).json({ status: 'database unreachable', error: (err as Error).message });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/api/document/:id/view', async (req, res) => {
    try {
      await authenticate(deps.tokens, req);
    } catch (err) {
      res.status(401).json({ error: (err as Error).message });
      return;
    }
    // Digits only: Number() would read "0x10" or "1e1" as another document's id.
    const id = /^[1-9]\d{0,9}$/.test(req.params.id) ? Number(req.params.id) : 0;
    const em = orm.em.fork();
    let doc: IDocument | null;
    try {
      doc = id > 0 && id <= 2_147_483_647 ? await em.findOne(Document, id, { populate: ['contact', 'folder'] }) : null;
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      res.status(503).set('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS)).json({ error: serviceUnavailable().message });
      return;
    }
    if (!doc) {
      res.status(404).json({ error: `Document ${JSON.stringify(req.params.id)} does not exist` });
      return;
    }
    const contact = doc.contact.getEntity();
    const folder = doc.folder.getEntity();
    res.json(documentPayload({ ...doc, contact: { id: contact.id, name: contact.name }, folder: { id: folder.id, name: folder.name } }, deps.events.publicUrl));
  });
  app.get(
    '/webhooks/openapi.json',
    webhookContractRoute({ orm, schema: deps.schema, checkDocument: deps.checkDocument, authenticate: (req) => authenticate(deps.tokens, req) }),
  );
  // A browser that opens /graphql gets the console's explorer; an API client (any GET with a query, any other Accept) gets GraphQL.
  app.get('/graphql', (req, res, next) => {
    if (req.query.query === undefined && req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html') {
      res.redirect(302, '/console/#/explorer');
      return;
    }
    next();
  });
  app.use(
    '/graphql',
    express.json({ limit: deps.maxBody }),
    apolloRoute(apollo, async (req) => {
      const { token, viewer } = await authenticate(deps.tokens, req);
      const context = deps.makeContext(viewer);
      // A router's callback subscription: the same streams as a WebSocket's, for this one subscription.
      if (!callbackExtension(req.body)) return context;
      return callbackContext(context, deps.streams, deps.bufferSize, (end) => deps.callbackTokens.watch(token, end, viewer.expiresAt));
    }),
  );
  deps.mount?.(app);
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const status = typeof err.status === 'number' ? err.status : 500;
    if (status >= 500) log.error({ err }, 'unexpected HTTP error');
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
    const message =
      status === 413 ? `The request body is over the limit of ${deps.maxBody} bytes (GRAPHQL_MAX_BODY)` : status < 500 ? err.message : 'Internal error';
    res.status(status).json({ errors: [{ message, extensions: { code, requestId: currentRequestScope()?.requestId } }] });
  };
  app.use(onError);
  return { app, apollo };
}
