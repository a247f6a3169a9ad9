import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactPayload } from '../../src/events/payloads.js';
import { SAMPLE_CONTACT } from '../../src/events/samples.js';
import { appendEvent } from '../../src/outbox/append-events.js';
import { transactionChanges } from '../../src/outbox/event-hints.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, pointChannel, sql } from '../helpers/webhooks.js';

let t: TestApp;
let receiver: TestReceiver;

/** The listener's backend for this app's database (other test files share the server). */
async function listenerPids(): Promise<number[]> {
  const rows = await sql<{ pid: number }>(
    t.databaseUrl,
    `select pid from pg_stat_activity where application_name = 'recordengine-listener' and datname = current_database()`,
  );
  return rows.map((r) => r.pid);
}

beforeAll(async () => {
  // The poll would come only after an hour: whatever arrives sooner was woken by NOTIFY or by a reconnect.
  t = await startTestApp({ WEBHOOK_POLL_INTERVAL: '1h', WEBHOOK_RETRY_SCHEDULE: '1h' });
  receiver = await new TestReceiver().start();
  await pointChannel(t, 'contact', receiver.url);
});
afterAll(async () => {
  await receiver.stop();
  await t.stop();
});

describe('waking the worker', () => {
  it('sends a committed event at once on NOTIFY, without waiting for the poll', async () => {
    const received = receiver.requests.length;
    const id = await createContact(t, 'Notified');
    await receiver.waitFor(received + 1);
    expect(receiver.requests[received]!.json.id).toBe(Number(id));
  });

  it('reconnects a listener that lost its connection and catches up on what it missed', async () => {
    const [before] = await listenerPids();
    expect(before).toBeDefined();
    const received = receiver.requests.length;
    const away = contactPayload({ ...SAMPLE_CONTACT, id: 424242, name: 'Committed While Away' });
    // The listener's backend is gone (pg_terminate_backend waits for that) before this transaction
    // commits, and the listener waits at least 100 ms before it reconnects: the NOTIFY is lost.
    await t.app.database.orm.em.fork().transactional(async (tx) => {
      await tx.execute('select pg_terminate_backend(?, 5000)', [before]);
      await appendEvent(transactionChanges(tx), { type: 'contact.updated', entityId: 424242, payload: away }, 1_000_000);
    });
    await receiver.waitFor(received + 1);
    expect(receiver.requests[received]!.json).toEqual(away);
    const after = await listenerPids();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);

    // And it listens again: the next event arrives on its NOTIFY.
    const next = await createContact(t, 'After Reconnect');
    await receiver.waitFor(received + 2);
    expect(receiver.requests[received + 1]!.json.id).toBe(Number(next));
  });
});

/** Reads /metrics; a series not shown counts as 0 (a counter appears with its first increment). */
async function metrics(): Promise<(series: string) => number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  return (series) => Number(new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

describe('metrics', () => {
  it('show attempts by outcome, the backlog per channel and the age of the oldest pending delivery', async () => {
    await t.ok(`mutation { configureWebhooks(input: { offlineMode: false }) { offlineMode } }`);
    await t.app.worker!.drain();
    const before = await metrics();
    // One attempt that fails (its retry is an hour away), then one that succeeds.
    receiver.answers = [{ status: 500 }];
    const received = receiver.requests.length;
    await createContact(t, 'Counted');
    await receiver.waitFor(received + 1);
    await t.app.worker!.drain();
    await createContact(t, 'Delivered');
    await receiver.waitFor(received + 2);
    await t.app.worker!.drain();
    await t.ok(`mutation { configureWebhooks(input: { offlineMode: true }) { offlineMode } }`);
    await createContact(t, 'Held');
    await sql(t.databaseUrl, `update webhook_deliveries set created_at = now() - interval '90 seconds' where status = 'PENDING' and channel = 'CONTACT' and attempt_count = 0`);
    await sql(t.databaseUrl, `update webhook_channels set consecutive_failures = 7 where channel = 'FOLDER'`);

    // The delivery log's figures are read at most once a second: wait for a read made after the
    // last change above, which the FOLDER channel's failures show.
    let value = await metrics();
    const deadline = Date.now() + 10_000;
    while (value('webhook_channel_consecutive_failures{channel="FOLDER"}') !== 7 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      value = await metrics();
    }
    const added = (series: string) => value(series) - before(series);
    try {
      expect(added('webhook_attempts_total{channel="CONTACT",outcome="succeeded"}')).toBe(1);
      expect(added('webhook_attempts_total{channel="CONTACT",outcome="retry"}')).toBe(1);
      expect(added('webhook_attempt_duration_seconds_count{channel="CONTACT",ok="true"}')).toBe(1);
      expect(added('webhook_attempt_duration_seconds_count{channel="CONTACT",ok="false"}')).toBe(1);
      // The retrying one (next attempt in an hour) and the one held by offline mode.
      expect(added('webhook_deliveries_pending{channel="CONTACT"}')).toBe(2);
      expect(value('webhook_deliveries_pending{channel="FOLDER"}')).toBe(0);
      expect(value('webhook_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(90);
      expect(value('webhook_channel_enabled{channel="CONTACT"}')).toBe(1);
      expect(value('webhook_channel_enabled{channel="DOCUMENT"}')).toBe(0);
      expect(value('webhook_channel_consecutive_failures{channel="FOLDER"}')).toBe(7);
    } finally {
      await t.ok(`mutation { configureWebhooks(input: { offlineMode: false }) { offlineMode } }`);
    }
  });
});
