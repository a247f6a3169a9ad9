import { EventEmitter, once } from 'node:events';
import type pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlPool, type SqlPool } from '../../src/db/sql-pool.js';
import { createMetrics } from '../../src/metrics.js';
import { WebhookSender } from '../../src/webhooks/sender.js';
import { DeliveryWorker } from '../../src/webhooks/worker.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, pointChannel, sql } from '../helpers/webhooks.js';

/** Renewed every third of it; long enough that a renewal is never late on a loaded machine. */
const LEASE_MS = 2_000;
/** How long the first instance holds its claim by renewal alone before it dies: this many leases past the first. */
const LEASES_HELD = 2;

type Instance = { worker: DeliveryWorker; pool: SqlPool; sender: WebhookSender; renewals: EventEmitter; release: () => void };

let api: TestApp;
let a: Instance | undefined;
let b: TestApp | undefined;
let receiver: TestReceiver;

beforeAll(async () => {
  // The API alone: the instances that deliver are the test's.
  api = await startTestApp({ WEBHOOK_WORKER: 'false' });
  receiver = await new TestReceiver().start();
  await pointChannel(api, 'contact', receiver.url);
});
afterAll(async () => {
  await stopInstanceA();
  await b?.stop();
  await receiver.stop();
  await api.stop();
});

/**
 * Instance A: a worker built as app.ts builds one, but with a lease shorter than its attempts
 * may take. The configuration keeps WEBHOOK_LEASE above WEBHOOK_TIMEOUT as a margin; here
 * only the renewal keeps the claim. Its own pool tells the test of each renewal it committed.
 */
function startInstanceA(): Instance {
  const log = pino({ level: 'silent' });
  const pool = createSqlPool(api.databaseUrl, 2, log);
  const renewals = new EventEmitter();
  const query = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  pool.query = (async (config: pg.QueryConfig) => {
    const result = await query(config);
    if (config.name === 'renew-leases') renewals.emit('renewed');
    return result;
  }) as never;
  const sender = new WebhookSender({ timeoutMs: 10 * 60_000, allowPrivate: true, connections: 4 });
  const worker = new DeliveryWorker(
    pool,
    sender,
    // No poll: the test steps its claims.
    { concurrency: 4, circuitFailures: 5, pollIntervalMs: 3_600_000, leaseMs: LEASE_MS, retrySchedule: [60_000], disableAfterMs: 86_400_000 },
    log,
    createMetrics(api.app.database.orm),
  );
  worker.start();
  return { worker, pool, sender, renewals, release: () => undefined };
}

async function stopInstanceA(): Promise<void> {
  if (!a) return;
  const { worker, pool, sender, release } = a;
  a = undefined;
  release();
  await worker.stop();
  if (!pool.ended) await pool.end();
  await sender.close();
}

/** Resolves on instance A's next committed renewal; fails when none comes within three leases. */
async function nextRenewal(instance: Instance): Promise<void> {
  try {
    await once(instance.renewals, 'renewed', { signal: AbortSignal.timeout(3 * LEASE_MS) });
  } catch {
    throw new Error(`instance A renewed no lease within ${3 * LEASE_MS} ms`);
  }
}

describe('leases', () => {
  it('keep a delivery with the instance that renews them for as long as its attempt lasts, and pass it on when that instance dies', { timeout: 90_000 }, async () => {
    await stopInstanceA();
    await b?.stop();
    b = undefined;
    const seen = receiver.requests.length;
    a = startInstanceA();
    const released = new Promise<void>((resolve) => (a!.release = resolve));
    receiver.answers = [{ status: 200, until: released }];
    await a.worker.drain();

    const contactId = await createContact(api, 'Slow to answer');
    expect(await a.worker.runOnce()).toBe(1);
    await receiver.waitFor(seen + 1);
    const [claimed] = await sql<{ id: string; leased_by: string; lease_until: Date }>(
      api.databaseUrl,
      `select id, leased_by, lease_until from webhook_deliveries where channel = 'CONTACT' and entity_id = $1`,
      [contactId],
    );
    expect(claimed!.leased_by).toBe(a.worker.id);

    // Instance B tries to claim it at every renewal of A, until the claim has outlived its
    // first lease by LEASES_HELD more: only the renewal can have kept it with A.
    b = await startTestApp({}, api.databaseUrl);
    for (;;) {
      await nextRenewal(a);
      const [row] = await sql<{ leased_by: string; held: boolean; long_past: boolean }>(
        api.databaseUrl,
        `select leased_by, lease_until > now() as held, now() > $2::timestamptz + make_interval(secs => $3) as long_past
         from webhook_deliveries where id = $1`,
        [claimed!.id, claimed!.lease_until, (LEASES_HELD * LEASE_MS) / 1000],
      );
      expect(row).toMatchObject({ leased_by: a.worker.id, held: true });
      expect(await b.app.worker!.runOnce()).toBe(0);
      if (row!.long_past) break;
    }
    expect(receiver.requests).toHaveLength(seen + 1);

    // A dies with its attempt under way: it can renew nothing any more. B takes the delivery
    // over once the lease runs out, with the same webhook-id.
    await a.pool.end();
    await receiver.waitFor(seen + 2, 30_000);
    await b.app.worker!.drain();
    const [first, second] = receiver.requests.slice(seen);
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    const [delivery] = await sql<{ status: string; leased_by: string | null; attempt_count: number; attempts: number }>(
      api.databaseUrl,
      `select status, leased_by, attempt_count, (select count(*)::int from webhook_attempts w where w.delivery_id = d.id) as attempts
       from webhook_deliveries d where id = $1`,
      [claimed!.id],
    );
    // Two claims; only B lived to record its attempt.
    expect(delivery).toEqual({ status: 'SUCCEEDED', leased_by: null, attempt_count: 2, attempts: 1 });
    await stopInstanceA();
    expect(receiver.requests).toHaveLength(seen + 2);
  });
});
