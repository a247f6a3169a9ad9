import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { pointChannel } from '../helpers/webhooks.js';

let a: TestApp;
let b: TestApp;
let receiver: TestReceiver;
let db: pg.Client;

// A short lease and a slow answer: the lease must move on while the attempt waits.
const ENV = { WEBHOOK_TIMEOUT: '3s', WEBHOOK_LEASE: '3500ms', WEBHOOK_POLL_INTERVAL: '100ms' };

beforeAll(async () => {
  a = await startTestApp(ENV);
  receiver = await new TestReceiver().start();
  await pointChannel(a, 'contact', receiver.url);
  db = new pg.Client({ connectionString: a.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await receiver.stop();
  await b?.stop();
  await a.stop();
});

async function leaseUntil(): Promise<number> {
  const { rows } = await db.query<{ lease_until: Date | null }>(`select lease_until from webhook_deliveries order by id desc limit 1`);
  return rows[0]?.lease_until?.getTime() ?? 0;
}

describe('leases', () => {
  it('are renewed while an attempt is under way, and the delivery is sent once', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    receiver.fallback = { status: 200, until: released };
    b = await startTestApp(ENV, a.databaseUrl);
    await a.ok(`mutation { createContact(input: { name: "Slow to answer", type: CLIENT }) { id } }`);
    await receiver.waitFor(1);
    const first = await leaseUntil();
    // The renewal runs every third of the lease; wait for it through the database, not the clock.
    for (let i = 0; i < 200 && (await leaseUntil()) <= first; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await leaseUntil()).toBeGreaterThan(first);
    release();
    await a.app.worker!.drain();
    await b.app.worker!.drain();
    expect(receiver.requests).toHaveLength(1);
    const { rows } = await db.query<{ status: string; attempts: string }>(
      `select d.status, (select count(*) from webhook_attempts w where w.delivery_id = d.id) as attempts from webhook_deliveries d`,
    );
    expect(rows).toEqual([{ status: 'SUCCEEDED', attempts: '1' }]);
  });
});
