import type { MikroORM } from '@mikro-orm/postgresql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    graphqlDuration: new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'Duration of GraphQL operations over HTTP',
      labelNames: ['operation'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
  // Read from the delivery log at scrape time: the log, not this process, knows the backlog.
  new Gauge({
    name: 'webhook_deliveries_pending',
    help: 'Deliveries waiting for an attempt, by channel',
    labelNames: ['channel'] as const,
    registers: [registry],
    async collect() {
      const rows = await orm.em
        .fork()
        .execute<{ channel: string; n: string }[]>(`select channel, count(*) as n from webhook_deliveries where status = 'PENDING' group by channel`);
      this.reset();
      for (const r of rows) this.set({ channel: r.channel }, Number(r.n));
    },
  });
  new Gauge({
    name: 'webhook_oldest_pending_age_seconds',
    help: 'Age of the oldest delivery still pending',
    registers: [registry],
    async collect() {
      const [row] = await orm.em
        .fork()
        .execute<{ age: number | null }[]>(
          `select extract(epoch from now() - min(created_at)) as age from webhook_deliveries where status = 'PENDING'`,
        );
      this.set(Number(row?.age ?? 0));
    },
  });
  return metrics;
}
