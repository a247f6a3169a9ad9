import type pg from 'pg';
import { pino } from 'pino';
import { createSqlPool, type SqlPool } from '../../src/db/sql-pool.js';
import { createMetrics } from '../../src/metrics.js';
import { WebhookSender } from '../../src/webhooks/sender.js';
import { DeliveryWorker, type WorkerOptions } from '../../src/webhooks/worker.js';
import type { TestApp } from './app.js';

export type OwnWorker = { pool: SqlPool; sender: WebhookSender; worker: DeliveryWorker; stop(): Promise<void> };

/**
 * A delivery worker of the test's own beside an app started with WEBHOOK_WORKER=false, on a
 * pool of its own whose named statements the test hears of as they start (onStatement).
 */
export function ownWorker(api: TestApp, opts: { worker: WorkerOptions; onStatement(name: string): void }): OwnWorker {
  const log = pino({ level: 'silent' });
  const pool = createSqlPool(api.databaseUrl, 4, log);
  const query = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  pool.query = (async (config: pg.QueryConfig) => {
    if (config.name) opts.onStatement(config.name);
    return query(config);
  }) as never;
  const sender = new WebhookSender({ timeoutMs: 10_000, allowPrivate: true, connections: 4 });
  const worker = new DeliveryWorker(pool, sender, opts.worker, log, createMetrics(api.app.database.orm));
  return {
    pool,
    sender,
    worker,
    async stop() {
      await worker.stop();
      if (!pool.ended) await pool.end();
      await sender.close();
    },
  };
}
