import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired } from '../../src/webhooks/purge.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, deliveries, pointChannel, sql } from '../helpers/webhooks.js';

const RETENTION_MS = 30 * 24 * 3_600_000;

let t: TestApp;
let receiver: TestReceiver;

beforeAll(async () => {
  t = await startTestApp();
  receiver = await new TestReceiver().start();
  await pointChannel(t, 'contact', receiver.url);
});
afterAll(async () => {
  await receiver.stop();
  await t.stop();
});

/** A contact whose creation was delivered, its event moved beyond the retention period. */
async function deliveredAndExpired(name: string) {
  const id = await createContact(t, name);
  await t.app.worker!.drain();
  const [delivery] = (await deliveries(t, { channel: 'CONTACT', entityId: id })).edges.map((e) => e.node);
  expect(delivery.status).toBe('SUCCEEDED');
  await sql(t.databaseUrl, `update events set occurred_at = now() - interval '40 days' where id = $1`, [delivery.event.id]);
  return delivery as { id: string; event: { id: string; cursor: string } };
}

/** A client of its own with a transaction open, to hold row locks while the test arranges the order of things. */
async function holder(): Promise<pg.Client & { pid: number }> {
  const c = new pg.Client({ connectionString: t.databaseUrl });
  await c.connect();
  await c.query('begin');
  const { rows } = await c.query<{ pid: number }>('select pg_backend_pid() as pid');
  return Object.assign(c, { pid: rows[0]!.pid });
}

/** Waits (with a deadline) until `count` other backends of this database wait for a lock. */
async function lockWaiters(count: number, why: string): Promise<number[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = await sql<{ pid: number }>(
      t.databaseUrl,
      `select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
    );
    if (rows.length >= count) return rows.map((r) => r.pid);
    if (Date.now() > deadline) throw new Error(`expected ${count} backends waiting for a lock (${why}), found ${rows.length}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function webhookDelivery(id: string) {
  const { webhookDelivery: delivery } = await t.ok(`query($id: ID!) { webhookDelivery(id: $id) { id status } }`, { id });
  return delivery;
}

describe('the purge and a delivery queued again', () => {
  it('keeps a delivery redelivered between its check and its delete, and it is sent', async () => {
    const delivery = await deliveredAndExpired('Redelivered While Purging');
    // Held in offline mode, the redelivery waits in the database until the end of the test.
    await t.ok(`mutation { configureWebhooks(input: { offlineMode: true }) { offlineMode } }`);
    // A reader of the event holds it (FOR KEY SHARE): a purge that decided to delete it waits here.
    const reader = await holder();
    let purging: Promise<number> | undefined;
    try {
      await reader.query('select 1 from events where id = $1 for key share', [delivery.event.id]);
      let settled = false;
      purging = purgeExpired(t.app.database.orm.em.fork(), RETENTION_MS).finally(() => (settled = true));
      // Either the purge waits for the reader, past its check, or it has already left the held event alone.
      const deadline = Date.now() + 20_000;
      while (!settled) {
        const blocked = await sql(t.databaseUrl, `select 1 from pg_stat_activity where $1 = any(pg_blocking_pids(pid))`, [reader.pid]);
        if (blocked.length) break;
        if (Date.now() > deadline) throw new Error('the purge neither finished nor waited for the reader');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const { redeliverWebhook } = await t.ok(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id status } }`, { id: delivery.id });
      expect(redeliverWebhook.status).toBe('PENDING');
    } finally {
      await reader.query('commit');
      await reader.end();
      await purging;
    }
    const before = receiver.requests.length;
    try {
      expect(await webhookDelivery(delivery.id)).toMatchObject({ status: 'PENDING' });
    } finally {
      await t.ok(`mutation { configureWebhooks(input: { offlineMode: false }) { offlineMode } }`);
    }
    await receiver.waitFor(before + 1);
    expect(receiver.requests[before]!.headers['webhook-id']).toBe(delivery.event.id);
  });

  it('while it deletes an event, a redelivery and a replay of it wait, then say that nothing was queued', async () => {
    const previous = await deliveredAndExpired('Just Before');
    const delivery = await deliveredAndExpired('Deleted While Queued Again');
    // Holding the delivery row stops the purge inside its delete (the cascade needs that row).
    const blocker = await holder();
    let purging: Promise<number> | undefined;
    try {
      await blocker.query('select 1 from webhook_deliveries where id = $1 for update', [delivery.id]);
      purging = purgeExpired(t.app.database.orm.em.fork(), RETENTION_MS);
      await lockWaiters(1, 'the purge');
      const redelivery = t.gql(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id status } }`, { id: delivery.id });
      const replay = t.gql(`mutation($after: String!) { replayWebhooks(input: { channel: CONTACT, afterCursor: $after }) { count } }`, {
        after: previous.event.cursor,
      });
      await lockWaiters(3, 'the purge, the redelivery and the replay');
      await blocker.query('commit');
      expect(await purging).toBeGreaterThanOrEqual(2);
      const [redelivered, replayed] = await Promise.all([redelivery, replay]);
      expect(redelivered.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
      expect(replayed.errors).toBeUndefined();
      expect(replayed.data).toEqual({ replayWebhooks: { count: 0 } });
    } finally {
      await blocker.end();
      await purging;
    }
    expect(await sql(t.databaseUrl, `select id from events where id = $1`, [delivery.event.id])).toEqual([]);
    expect(await sql(t.databaseUrl, `select id from webhook_deliveries where status = 'PENDING'`)).toEqual([]);
  });
});
