import type { MikroORM } from '@mikro-orm/postgresql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { answerWithin } from './db/bounded-wait.js';
import { channelIsOn, deliveryIsPending } from './webhooks/sql-conditions.js';

export type Metrics = ReturnType<typeof createMetrics>;

/** Prometheus metrics, one registry per app so that tests may run several apps in one process. */
export function createMetrics(orm: MikroORM) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = {
    registry,
    deliveryOutcomes: new Counter({
      name: 'webhook_attempts_total',
      help: 'Webhook attempts by channel and what followed (succeeded, retry, failed, disable-channel)',
      labelNames: ['channel', 'outcome'] as const,
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'webhook_attempt_duration_seconds',
      help: 'Duration of one webhook POST, from send to the end of the answer',
      labelNames: ['channel', 'ok'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 30],
      registers: [registry],
    }),
    serviceUnavailable: new Counter({
      name: 'graphql_service_unavailable_total',
      help: 'GraphQL answers of HTTP 503 SERVICE_UNAVAILABLE: the database could not be reached',
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'Duration of GraphQL operations over HTTP',
      labelNames: ['operation'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
  // Read from the delivery log at scrape time (the log, not this process, knows the backlog),
  // in one statement that all these gauges share. While the database is away the read fails:
  // the gauges keep their last values, so that /metrics still answers, and database_up says why.
  const read = deliveryFigures(orm);
  const figures = () => read().catch(() => undefined);
  new Gauge({
    name: 'webhook_deliveries_pending',
    help: 'Deliveries waiting for an attempt or in flight, by channel',
    labelNames: ['channel'] as const,
    registers: [registry],
    async collect() {
      for (const r of (await figures())?.channels ?? []) this.set({ channel: r.channel }, Number(r.pending));
    },
  });
  new Gauge({
    name: 'webhook_oldest_pending_age_seconds',
    help: 'Age of the oldest delivery still pending (0 when none is): how far delivery lags behind',
    registers: [registry],
    async collect() {
      const f = await figures();
      if (f) this.set(f.oldestPendingAge);
    },
  });
  new Gauge({
    name: 'webhook_channel_enabled',
    help: 'Whether a channel has a URL and is switched on (0 after the service disabled it: see webhookSettings for why)',
    labelNames: ['channel'] as const,
    registers: [registry],
    async collect() {
      for (const r of (await figures())?.channels ?? []) this.set({ channel: r.channel }, r.on ? 1 : 0);
    },
  });
  new Gauge({
    name: 'webhook_channel_disabled',
    help: 'Whether a channel with a URL is switched off, by the service (410, failing too long) or by hand',
    labelNames: ['channel'] as const,
    registers: [registry],
    async collect() {
      for (const r of (await figures())?.channels ?? []) this.set({ channel: r.channel }, r.off ? 1 : 0);
    },
  });
  new Gauge({
    name: 'webhook_channel_consecutive_failures',
    help: 'Failed attempts in a row; from WEBHOOK_CIRCUIT_FAILURES on, the channel gets one attempt at a time',
    labelNames: ['channel'] as const,
    registers: [registry],
    async collect() {
      for (const r of (await figures())?.channels ?? []) this.set({ channel: r.channel }, r.failures);
    },
  });
  new Gauge({
    name: 'database_up',
    help: 'Whether the database answered the scrape\'s read of the delivery log within half a second',
    registers: [registry],
    async collect() {
      this.set((await figures()) ? 1 : 0);
    },
  });
  return metrics;
}

/** Scrapes closer together than this share one read of the delivery log. */
const FIGURES_MAX_AGE_MS = 1_000;
/** How long a scrape waits for the database before it reports it down: /metrics answers within a second. */
const FIGURES_TIMEOUT_MS = 500;

type DeliveryFigures = {
  channels: { channel: string; on: boolean; off: boolean; failures: number; pending: string }[];
  oldestPendingAge: number;
};

/**
 * The delivery log's figures, read at most once per FIGURES_MAX_AGE_MS however often and
 * however many at once scrape: a read under way is shared, and so is a fresh result. Each
 * scrape used to cost four statements, and nothing bounded how many ran at a time.
 */
function deliveryFigures(orm: MikroORM): () => Promise<DeliveryFigures> {
  let read: Promise<DeliveryFigures> | undefined;
  let settledAt: number | undefined;
  return () => {
    const stale = settledAt !== undefined && Date.now() - settledAt >= FIGURES_MAX_AGE_MS;
    if (!read || stale) {
      settledAt = undefined;
      const current = answerWithin(readFigures(orm), FIGURES_TIMEOUT_MS);
      read = current;
      current.then(
        () => {
          if (read === current) settledAt = Date.now();
        },
        () => {
          // A failed read is not kept: the next scrape tries again.
          if (read === current) read = undefined;
        },
      );
    }
    return read;
  };
}

async function readFigures(orm: MikroORM): Promise<DeliveryFigures> {
  const rows = await orm.em.fork().execute<(DeliveryFigures['channels'][number] & { oldest_age: number | null })[]>(
    `select c.channel, ${channelIsOn('c')} as "on", c.url is not null and not c.enabled as off, c.consecutive_failures as failures,
       (select count(*) from webhook_deliveries d where d.channel = c.channel and ${deliveryIsPending('d')}) as pending,
       (select extract(epoch from now() - min(created_at)) from webhook_deliveries w where ${deliveryIsPending('w')}) as oldest_age
     from webhook_channels c order by c.channel`,
  );
  return { channels: rows, oldestPendingAge: Number(rows[0]?.oldest_age ?? 0) };
}
