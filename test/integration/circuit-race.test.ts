import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SuccessRecorder } from '../../src/webhooks/record-successes.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, pointChannel, sql } from '../helpers/webhooks.js';

let t: TestApp;
let receiver: TestReceiver;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_CIRCUIT_FAILURES: '3' });
  receiver = await new TestReceiver().start();
  await pointChannel(t, 'contact', receiver.url);
  // Held in the database: the worker leaves the channel's health to this test.
  await t.ok(`mutation { configureWebhooks(input: { offlineMode: true }) { offlineMode } }`);
});
afterAll(async () => {
  await receiver.stop();
  await t.stop();
});

/** Waits (with a deadline) until another backend of this database waits for a lock. */
async function lockWaiter(): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = await sql(t.databaseUrl, `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`);
    if (rows.length) return;
    if (Date.now() > deadline) throw new Error('the success record never waited for the failure holding the channel');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('tells channel.recovered for a circuit that a concurrent failure opened while the success waited for it', async () => {
  const contact = await createContact(t, 'Raced Ltd');
  const [delivery] = await sql<{ id: string }>(t.databaseUrl, `select id::text as id from webhook_deliveries where channel = 'CONTACT' and entity_id = $1`, [contact]);
  await sql(t.databaseUrl, `update webhook_channels set consecutive_failures = 2, failing_since = now() where channel = 'CONTACT'`);

  // A failure's record, uncommitted, opens the circuit (its third failure in a row)...
  const failure = new pg.Client({ connectionString: t.databaseUrl });
  await failure.connect();
  try {
    await failure.query('begin');
    await failure.query(`update webhook_channels set consecutive_failures = 3 where channel = 'CONTACT'`);
    // ...while a success of the same channel is recorded: it waits for the failure's commit.
    const recorder = new SuccessRecorder(t.app.database.deliverySql, 'circuit-race', 3, 30_000);
    const recording = recorder.record({
      deliveryId: delivery!.id,
      channel: 'CONTACT',
      chainNext: false,
      result: { outcome: { kind: 'response', status: 200 }, ok: true, httpStatus: 200, startedAt: new Date(), durationMs: 1, responseExcerpt: null, error: null },
    });
    await lockWaiter();
    await failure.query('commit');
    await recording;
  } finally {
    await failure.end();
  }

  // The circuit that the failure opened (and told as failing) is closed by the success, and told so.
  const [health] = await sql(t.databaseUrl, `select consecutive_failures, failing_since from webhook_channels where channel = 'CONTACT'`);
  expect(health).toEqual({ consecutive_failures: 0, failing_since: null });
  const recovered = await sql<{ payload: { channel: string; failed_attempts: number } }>(
    t.databaseUrl,
    `select payload from events where type = 'channel.recovered'`,
  );
  expect(recovered.map((r) => r.payload)).toEqual([expect.objectContaining({ channel: 'contact', failed_attempts: 3 })]);
});
