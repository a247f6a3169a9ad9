import type { MikroORM } from '@mikro-orm/postgresql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { answerWithin } from './db/unavailable.js';

export type Metrics = ReturnType<typeof createMetrics>;

/** How long a scrape waits for the database before it reports it down. */
const DATABASE_CHECK_TIMEOUT_MS = 1000;

/**
 * A gauge read from the database at scrape time. A failed read keeps the last value: one
 * unreachable database must not fail the whole scrape, and database_up says why it is stale.
 */
function databaseGauge<L extends string>(
  registry: Registry,
  config: { name: string; help: string; labelNames?: readonly L[] },
  read: (gauge: Gauge<L>) => Promise<void>,
): Gauge<L> {
  return new Gauge<L>({
    ...config,
    registers: [registry],
    async collect() {
      await read(this).catch(() => undefined);
    },
  });
}

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
  // Read from the delivery log at scrape time: the log, not this process, knows the backlog.
  databaseGauge(registry, { name: 'webhook_deliveries_pending', help: 'Deliveries waiting for an attempt or in flight, by channel', labelNames: ['channel'] as const }, async (gauge) => {
    const rows = await orm.em.fork().execute<{ channel: string; n: string }[]>(
      `select c.channel, count(d.id) as n from webhook_channels c
       left join webhook_deliveries d on d.channel = c.channel and d.status = 'PENDING' group by c.channel`,
    );
    for (const r of rows) gauge.set({ channel: r.channel }, Number(r.n));
  });
  databaseGauge(registry, { name: 'webhook_oldest_pending_age_seconds', help: 'Age of the oldest delivery still pending (0 when none is): how far delivery lags behind' }, async (gauge) => {
    const [row] = await orm.em
      .fork()
      .execute<{ age: number | null }[]>(
        `select extract(epoch from now() - min(created_at)) as age from webhook_deliveries where status = 'PENDING'`,
      );
    gauge.set(Number(row?.age ?? 0));
  });
  databaseGauge(registry, { name: 'webhook_channel_enabled', help: 'Whether a channel has a URL and is switched on (0 after the service disabled it: see webhookSettings for why)', labelNames: ['channel'] as const }, async (gauge) => {
    const rows = await orm.em.fork().execute<{ channel: string; on: boolean }[]>(
      `select channel, enabled and url is not null as "on" from webhook_channels`,
    );
    for (const r of rows) gauge.set({ channel: r.channel }, r.on ? 1 : 0);
  });
  databaseGauge(
    registry,
    { name: 'webhook_channel_disabled', help: 'Whether a channel with a URL is switched off, by the service (410, failing too long) or by hand', labelNames: ['channel'] as const },
    async (gauge) => {
      const rows = await orm.em.fork().execute<{ channel: string; off: boolean }[]>(`select channel, url is not null and not enabled as off from webhook_channels`);
      for (const r of rows) gauge.set({ channel: r.channel }, r.off ? 1 : 0);
    },
  );
  databaseGauge(registry, { name: 'webhook_channel_consecutive_failures', help: 'Failed attempts in a row; from WEBHOOK_CIRCUIT_FAILURES on, the channel gets one attempt at a time', labelNames: ['channel'] as const }, async (gauge) => {
    const rows = await orm.em.fork().execute<{ channel: string; n: number }[]>(`select channel, consecutive_failures as n from webhook_channels`);
    for (const r of rows) gauge.set({ channel: r.channel }, r.n);
  });
  new Gauge({
    name: 'database_up',
    help: 'Whether the database answered a trivial query within a second at scrape time',
    registers: [registry],
    async collect() {
      const answered = await answerWithin(orm.em.fork().execute('select 1'), DATABASE_CHECK_TIMEOUT_MS).then(
        () => true,
        () => false,
      );
      this.set(answered ? 1 : 0);
    },
  });
  return metrics;
}
