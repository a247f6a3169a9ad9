import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { Logger } from 'pino';
import { TokenVerifier } from './auth/token-verifier.js';
import { bootstrapToken } from './auth/tokens.js';
import { Broadcaster } from './bridge/broadcaster.js';
import { DeliveryFeed, type DeliveryUpdate } from './bridge/delivery-feed.js';
import { Published, PublishedEvent } from './subscriptions/published.js';
import { NotificationListener } from './bridge/listener.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { resolvers } from './graphql/resolvers/index.js';
import type { Services } from './graphql/services.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { purgeExecutions } from './rules/executions.js';
import { purgeAudit } from './audit/audit-log.js';
import { RuleScheduler } from './rules/scheduler.js';
import { createHttpApp } from './server/http.js';
import { startWebSocketServer, type WebSocketTransport } from './server/ws.js';
import { subscriptionMetrics } from './subscriptions/metrics.js';
import { lazyContextFactory } from './graphql/context-factory.js';
import { subscriptionStreams } from './subscriptions/streams.js';
import { purgeExpired } from './webhooks/purge.js';
import { WebhookSender } from './webhooks/sender.js';
import { testWebhook } from './webhooks/tester.js';
import { DeliveryWorker } from './webhooks/worker.js';
import { InspectorFeed } from './inspector/feed.js';
import { isOwnInspectorUrl } from './inspector/own-url.js';
import { receiveInspectorRequest } from './inspector/receive.js';
import { purgeInspectors } from './inspector/store.js';
import { serveConsole } from './server/console.js';
import { CallbackTokens } from './server/callback-tokens.js';
import { NOTIFY } from './db/notify-channels.js';
import { runReadyRules } from './rules/document-ready.js';
import { EventHints, hintingSql, readHint } from './outbox/event-hints.js';
import { poolSql } from './db/sql.js';
import { createSqlPool } from './db/sql-pool.js';
import { OutageLog } from './db/outage-log.js';
import { EndpointMaterializer } from './endpoints/materializer.js';
import { checkSubscriptionDocument } from './endpoints/subscription-document.js';
import { previewEndpoint, testEndpoint } from './endpoints/test-endpoint.js';
import type { GraphQLError } from 'graphql';
import { formatError } from './graphql/errors.js';

const SCHEMA_FILE = new URL('../schema.graphql', import.meta.url);
const PURGE_INTERVAL_MS = 10 * 60_000;
/** How often due SCHEDULE rules are looked for: their intervals are whole minutes. */
const RULE_POLL_INTERVAL_MS = 15_000;
/** How often the listener's connection is checked, at most. */
const LISTENER_CHECK_INTERVAL_MS = 5_000;

export type App = {
  readonly url: string;
  readonly database: Database;
  readonly worker: DeliveryWorker | undefined;
  readonly rules: RuleScheduler;
  readonly broadcaster: Broadcaster<PublishedEvent>;
  /** Turns events into webhook endpoints' deliveries. */
  readonly materializer: EndpointMaterializer;
  readonly deliveryFeed: DeliveryFeed<Published<DeliveryUpdate>>;
  /** The tokens of this instance's callback subscriptions. */
  readonly callbackTokens: CallbackTokens;
  /** The token generated at first start, when one was (printed once by main.ts). */
  readonly generatedToken: string | undefined;
  stop(): Promise<void>;
};

/**
 * The composition root: builds every part, starts them in order, and stops them in reverse
 * order (HTTP and WebSocket first, then the worker, the listener and the database).
 */
export async function startApp(config: Config, log: Logger = createLogger(config.logLevel, config.logFormat)): Promise<App> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    migrate: config.migrateOnStart,
    poolSize: config.dbPoolSize,
    timeoutMs: config.databaseTimeoutMs,
    log,
  });
  const { orm, sql } = database;
  const stops: (() => Promise<void>)[] = [() => database.close()];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch((err: unknown) => log.error({ err }, 'error while stopping'));
    }
  };

  try {
    const { generated, revokedBootstrap } = await bootstrapToken(orm.em.fork(), config.apiToken);
    if (revokedBootstrap) log.warn('API_TOKEN was revoked (revokeApiToken or regenerateApiToken) and is not accepted');

    const metrics = createMetrics(orm);
    const sender = new WebhookSender({
      timeoutMs: config.webhooks.timeoutMs,
      allowPrivate: config.webhooks.allowPrivateNetworks,
      connections: config.webhooks.concurrency,
      isOwnUrl: (url) => isOwnInspectorUrl(url, events.publicUrl),
    });
    stops.push(() => sender.close());

    const httpServer: Server = createServer();
    // Without PUBLIC_URL, doc_url uses the address the server is bound to, known once it listens.
    let boundUrl = '';
    const events = {
      get publicUrl() {
        return config.publicUrl ?? boundUrl;
      },
      maxPayloadBytes: config.webhooks.maxPayloadBytes,
    };
    const tokens = new TokenVerifier(sql);
    const inspectorFeed = new InspectorFeed(sql);
    const services: Services = {
      allowPrivateNetworks: config.webhooks.allowPrivateNetworks,
      secretOverlapMs: config.webhooks.secretOverlapMs,
      testWebhook: (em, channel) => testWebhook(em, sender, channel, events.publicUrl),
      testWebhookEndpoint: (em, id) => testEndpoint(em, id, { schema, makeContext, formatError: formatGraphQLError, sender, checkDocument }),
      previewWebhookEndpoint: (em, text, variables) => previewEndpoint(em, text, variables, { schema, makeContext, formatError: formatGraphQLError, checkDocument }),
      tokensChanged: () => tokens.forget(),
      documentHooks: { enteredReady: (tx, documentId) => runReadyRules(tx, documentId, events) },
      endpoints: {
        allowPrivate: config.webhooks.allowPrivateNetworks,
        secretOverlapMs: config.webhooks.secretOverlapMs,
        get ownBaseUrl() {
          return events.publicUrl;
        },
        get reads() {
          return reads;
        },
        checkDocument: (text, variables) => checkDocument(text, variables),
        changed: () => materializer.endpointsChanged(),
      },
      inspectorFeed,
    };

    const worker = config.webhooks.worker
      ? new DeliveryWorker(
          database.deliverySql,
          sender,
          {
            concurrency: config.webhooks.concurrency,
            circuitFailures: config.webhooks.circuitFailures,
            pollIntervalMs: config.webhooks.pollIntervalMs,
            leaseMs: config.webhooks.leaseMs,
            retrySchedule: config.webhooks.retrySchedule,
            disableAfterMs: config.webhooks.disableAfterMs,
          },
          log.child({ part: 'worker' }),
          metrics,
        )
      : undefined;

    // Hints go out on a connection of their own: never behind mutations queued for the pool.
    const hintPool = createSqlPool(database.url, 1, log, 'recordengine-hints', database.timeoutMs);
    const hints = new EventHints(hintPool, log.child({ part: 'hints' }));
    stops.push(() => hints.close());
    // The plain pool as a Sql: reads of the log, and (with the hint after the commit) the changes.
    const reads = poolSql(sql);
    const makeContext = lazyContextFactory(orm, sql, hintingSql(reads, hints), reads, events, services);
    let ws: WebSocketTransport | undefined;
    const wsMetrics = subscriptionMetrics(metrics.registry, {
      connections: () => ws?.connections ?? 0,
      subscribers: () => broadcaster.fanout.size + deliveryFeed.fanout.size + inspectorFeed.size,
    });
    const broadcaster = new Broadcaster(reads, (row) => new PublishedEvent(row, makeContext), { pollIntervalMs: config.ws.pollIntervalMs }, log.child({ part: 'broadcaster' }), (event) => {
      wsMetrics.published(event);
      materializer.wake();
    });
    const deliveryFeed = new DeliveryFeed(orm, (update) => new Published(update, makeContext), log.child({ part: 'delivery-feed' }));
    hints.onAppended((lastSeq, toClaim) => {
      if (toClaim) worker?.wake();
      broadcaster.wake(lastSeq);
    });
    const revalidateTokens = () => {
      void ws?.revalidateTokens().catch((err: unknown) => log.warn({ err }, 'could not re-check the tokens of WebSockets'));
      void callbackTokens.revalidate(tokens).catch((err: unknown) => log.warn({ err }, 'could not re-check the tokens of callback subscriptions'));
    };

    const listener = new NotificationListener(
      database.url,
      [NOTIFY.events, NOTIFY.deliveries, NOTIFY.tokens, NOTIFY.inspector, NOTIFY.endpoints],
      {
        onNotification: (channel, payload) => {
          if (channel === NOTIFY.events) {
            const { seq, toClaim, from } = readHint(payload);
            // This instance's own hints reached its readers before they were sent.
            if (from === hints.instance) return;
            if (from) hints.setPeers(true);
            if (toClaim) worker?.wake();
            broadcaster.wake(seq);
          } else if (channel === NOTIFY.deliveries) {
            deliveryFeed.notify(payload);
          } else if (channel === NOTIFY.inspector) {
            inspectorFeed.notify(payload);
          } else if (channel === NOTIFY.endpoints) {
            materializer.endpointsChanged();
          } else if (channel === NOTIFY.tokens) {
            tokens.forget();
            revalidateTokens();
          }
        },
        // Notifications sent while disconnected are lost: catch up from the log, re-check tokens.
        onConnected: () => {
          hints.announce();
          tokens.setListening(true);
          worker?.wake();
          broadcaster.wake();
          materializer.endpointsChanged();
          revalidateTokens();
        },
        onDisconnected: () => tokens.setListening(false),
        onPeers: (count) => hints.setPeers(count > 0),
      },
      log.child({ part: 'listener' }),
      // A dead connection is found out within twice the bound, and every wait on it is bounded.
      { intervalMs: Math.min(LISTENER_CHECK_INTERVAL_MS, database.timeoutMs), timeoutMs: database.timeoutMs },
    );

    const schema = makeExecutableSchema({ typeDefs: readFileSync(SCHEMA_FILE, 'utf8'), resolvers: resolvers() as never });
    const checkDocument = (text: string, variables: Record<string, unknown> | null | undefined) =>
      checkSubscriptionDocument(schema, text, variables, { maxDepth: config.graphql.maxDepth, maxCost: config.graphql.maxCost });
    const formatOne = formatError(log);
    const formatGraphQLError = (error: GraphQLError) => formatOne(error.toJSON(), error);
    // A connection of its own: its batches never wait behind mutations queued for the pool, nor they behind it.
    const endpointPool = createSqlPool(database.url, 1, log, 'recordengine-endpoints', database.timeoutMs);
    stops.push(() => endpointPool.end());
    const materializer = new EndpointMaterializer(
      endpointPool,
      schema,
      makeContext,
      {
        pollIntervalMs: config.webhooks.pollIntervalMs,
        checkDocument,
        formatError: formatGraphQLError,
        recentEvents: (after, max) => broadcaster.recentAfter(after, max),
      },
      log.child({ part: 'endpoints' }),
      () => worker?.wake(),
    );
    const streams = (onOverflow: () => void) =>
      subscriptionStreams({ orm, sql: reads, broadcaster, deliveryFeed, makeContext, bufferSize: config.ws.subscriberBuffer }, onOverflow);
    const callbackTokens = new CallbackTokens();
    const { app, apollo } = await createHttpApp({
      orm,
      tokens,
      callbackTokens,
      makeContext,
      schema,
      httpServer,
      log,
      metrics,
      events,
      maxDepth: config.graphql.maxDepth,
      maxCost: config.graphql.maxCost,
      maxBody: config.graphql.maxBody,
      streams,
      bufferSize: config.ws.subscriberBuffer,
      callback: { urlPrefixes: config.subscriptionCallbackUrls, timeoutMs: config.webhooks.timeoutMs },
      checkDocument,
      // Apollo drains the WebSocket server with the HTTP server: sockets close with 1001 first.
      extraPlugins: [{ serverWillStart: async () => ({ drainServer: async () => ws?.dispose() }) }],
      mount: (routes) => {
        routes.all('/inspect/:id', receiveInspectorRequest(sql));
        routes.use('/console', serveConsole());
      },
    });
    httpServer.on('request', app);

    await listener.start();
    stops.push(() => listener.stop());
    if (worker) {
      worker.start();
      stops.push(() => worker.stop());
    }
    const rules = new RuleScheduler(orm, events, { pollIntervalMs: RULE_POLL_INTERVAL_MS }, log.child({ part: 'rules' }));
    rules.start();
    stops.push(() => rules.stop());
    const purgeLog = log.child({ part: 'purge' });
    const purges = [
      { outage: new OutageLog(purgeLog, 'purging old events'), run: () => purgeExpired(orm.em.fork(), config.webhooks.retentionMs) },
      { outage: new OutageLog(purgeLog, 'purging rule executions'), run: () => purgeExecutions(orm.em.fork(), config.rules.executionsRetentionMs) },
      { outage: new OutageLog(purgeLog, 'purging inspectors'), run: () => purgeInspectors(sql) },
      { outage: new OutageLog(purgeLog, 'purging the audit log'), run: () => purgeAudit(orm.em.fork(), config.auditRetentionMs) },
    ];
    const purgeTimer = setInterval(() => {
      for (const { outage, run } of purges) run().then(() => outage.recovered(), (err: unknown) => outage.failed(err));
    }, PURGE_INTERVAL_MS);
    purgeTimer.unref();
    stops.push(async () => clearInterval(purgeTimer));
    await broadcaster.start();
    stops.push(() => broadcaster.stop(), () => deliveryFeed.stop());
    materializer.start();
    stops.push(() => materializer.stop());
    ws = startWebSocketServer({
      httpServer,
      schema,
      tokens,
      log: log.child({ part: 'ws' }),
      makeContext,
      streams,
      maxDepth: config.graphql.maxDepth,
      maxCost: config.graphql.maxCost,
      maxPayloadBytes: config.graphql.maxBody,
      connectionInitTimeoutMs: config.ws.connectionInitTimeoutMs,
      keepAliveMs: config.ws.keepAliveMs,
      maxSubscriptionsPerSocket: config.ws.maxSubscriptionsPerSocket,
      bufferSize: config.ws.subscriberBuffer,
      onSlowSubscriber: wsMetrics.slowSubscriberClosed,
    });
    const wsServer = ws;
    stops.push(() => wsServer.dispose());

    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => resolve());
    });
    // Apollo's drain plugin closes the HTTP server and waits for requests in flight.
    stops.push(() => apollo.stop());
    const address = httpServer.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    boundUrl = url;
    log.info({ url: `${url}/graphql`, database: database.embedded ? 'embedded' : 'DATABASE_URL' }, 'service started');

    return { url, database, worker, rules, broadcaster, deliveryFeed, materializer, callbackTokens, generatedToken: generated, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
