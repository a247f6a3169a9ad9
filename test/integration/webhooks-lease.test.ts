import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlPool, type SqlPool } from '../../src/db/sql-pool.js';
import { createMetrics } from '../../src/metrics.js';
import { WebhookSender } from '../../src/webhooks/sender.js';
import { DeliveryWorker } from '../../src/webhooks/worker.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, pointChannel, sql } from '../helpers/webhooks.js';

/** Renewed (by the test) every third of it; long enough that a renewal is never late on a loaded machine. */
const LEASE_MS = 2_000;
/** How long the first instance holds its claim by renewal alone before it dies: this many leases past the first. */
const LEASES_HELD = 2;

type Instance = { worker: DeliveryWorker; pool: SqlPool; sender: WebhookSender; release: () => void };

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
 * only the renewal keeps the claim. It is in manual mode: the test steps its claims and its
 * renewals.
 */
async function startInstanceA(): Promise<Instance> {
  const log = pino({ level: 'silent' });
  const pool = createSqlPool(api.databaseUrl, 2, log);
  const sender = new WebhookSender({ timeoutMs: 10 * 60_000, allowPrivate: true, connections: 4 });
  const worker = new DeliveryWorker(
    pool,
    sender,
    { concurrency: 4, circuitFailures: 5, pollIntervalMs: 3_600_000, leaseMs: LEASE_MS, retrySchedule: [60_000], disableAfterMs: 86_400_000 },
    log,
    createMetrics(api.app.database.orm),
  );
  await worker.manual();
  return { worker, pool, sender, release: () => undefined };
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

/** Steps instance B's claims until one takes something (a lease ran out), for at most `ms`; resolves with what it claimed. */
async function claimOnB(instance: TestApp, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const claimed = await instance.app.worker!.runOnce();
    if (claimed > 0 || Date.now() > deadline) return claimed;
    await sleep(50);
  }
}

describe('leases', () => {
  it('keep a delivery with the instance that renews them for as long as its attempt lasts, and pass it on when that instance dies', { timeout: 90_000 }, async () => {
    await stopInstanceA();
    await b?.stop();
    b = undefined;
    const seen = receiver.requests.length;
    a = await startInstanceA();
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

    // Instance B tries to claim it after every renewal of A (a third of a lease apart), until
    // the claim has outlived its first lease by LEASES_HELD more: only the renewal can have kept it with A.
    b = await startTestApp({}, api.databaseUrl);
    await b.app.worker!.manual();
    for (;;) {
      await sleep(LEASE_MS / 3);
      await a.worker.renewOnce();
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
    expect(await claimOnB(b, 30_000)).toBe(1);
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
