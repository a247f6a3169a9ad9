import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, deliveries, pointChannel, sql } from '../helpers/webhooks.js';

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

describe('the delivery log by time', () => {
  it('keeps the deliveries queued since an instant, or before it', async () => {
    const older = await createContact(t, 'Queued two hours ago');
    const newer = await createContact(t, 'Queued now');
    await sql(t.databaseUrl, `update webhook_deliveries set created_at = now() - interval '2 hours' where channel = 'CONTACT' and entity_id = $1`, [older]);
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    const entities = async (filter: Record<string, unknown>) => (await deliveries(t, { channel: 'CONTACT', ...filter })).edges.map((e) => String(e.node.event.payload.id));
    expect(await entities({})).toEqual([newer, older]);
    expect(await entities({ createdSince: hourAgo })).toEqual([newer]);
    expect(await entities({ createdBefore: hourAgo })).toEqual([older]);
    expect(await entities({ createdSince: hourAgo, createdBefore: hourAgo })).toEqual([]);
  });

  it('refuses an instant that is not one, naming it', async () => {
    const res = await t.gql('{ webhookDeliveries(filter: { createdSince: "yesterday" }) { edges { cursor } } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/yesterday/);
  });
});
