import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, sql, verifySignature } from '../helpers/webhooks.js';
import { TestWsClient } from '../helpers/ws-client.js';

let t: TestApp;
let contactReceiver: TestReceiver;
let operations: TestReceiver;
let ws: TestWsClient;

beforeAll(async () => {
  // Three attempts a delivery (then it fails for good); three failures in a row open the circuit.
  t = await startTestApp({ WEBHOOK_CIRCUIT_FAILURES: '3', WEBHOOK_RETRY_SCHEDULE: '0ms,0ms', WEBHOOK_DISABLE_AFTER: '1h' });
  contactReceiver = await new TestReceiver().start();
  operations = await new TestReceiver().start();
  ws = new TestWsClient(t.url, { token: t.token });
});
afterAll(async () => {
  await ws.client.dispose();
  await contactReceiver.stop();
  await operations.stop();
  await t.stop();
});

const OPERATIONAL = '[CHANNEL_FAILING, CHANNEL_RECOVERED, CHANNEL_DISABLED, DELIVERY_FAILED]';

async function configure(input: Record<string, unknown>) {
  const { configureWebhooks } = await t.ok(`mutation($input: WebhookSettingsInput!) { configureWebhooks(input: $input) { signingSecret } }`, { input });
  return configureWebhooks.signingSecret as string;
}

/** Every delivery due now, operational ones included, attempted and recorded. */
const drain = () => t.app.worker!.drain();

it('tells the operations URL and the event stream when a channel fails, gives up a delivery, recovers and is switched off', async () => {
  const secret = await configure({ contact: { url: contactReceiver.url, enabled: true }, operations: { url: operations.url } });
  const stream = ws.subscribe<{ events: { id: string; type: string; payload: any } }>(`subscription { events(types: ${OPERATIONAL}) { id type payload } }`);
  await t.app.broadcaster.fanout.whenAttached(1);

  contactReceiver.fallback = { status: 500, body: 'down' };
  const failed = await createContact(t, 'Failing Ltd');
  await drain();
  await drain();
  expect(contactReceiver.requests).toHaveLength(3);
  await operations.waitFor(2);
  const [failing, given] = operations.requests;
  expect(failing!.headers['x-recordengine-event']).toBe('channel.failing');
  expect(failing!.json).toEqual({
    channel: 'contact',
    url: contactReceiver.url,
    consecutive_failures: 3,
    failing_since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    last_attempt: { http_status: 500, error: 'the receiver answered HTTP 500; only 200 counts as delivered', at: expect.stringMatching(/Z$/) },
  });
  expect(given!.headers['x-recordengine-event']).toBe('delivery.failed');
  const [event] = await sql(t.databaseUrl, `select id, type from events where type = 'contact.created' and entity_id = $1`, [failed]);
  expect(given!.json).toMatchObject({ event_id: event!.id, event_type: 'contact.created', channel: 'contact', entity_id: Number(failed), attempts: 3 });
  for (const request of operations.requests) expect(() => verifySignature(secret, request)).not.toThrow();

  contactReceiver.fallback = { status: 200 };
  await createContact(t, 'Recovered Ltd');
  await drain();
  await operations.waitFor(3);
  expect(operations.requests[2]!.headers['x-recordengine-event']).toBe('channel.recovered');
  expect(operations.requests[2]!.json).toMatchObject({ channel: 'contact', failed_attempts: 3, failing_since: failing!.json.failing_since });

  contactReceiver.fallback = { status: 410, body: 'gone' };
  await createContact(t, 'Gone Ltd');
  await drain();
  await operations.waitFor(4);
  expect(operations.requests[3]!.headers['x-recordengine-event']).toBe('channel.disabled');
  expect(operations.requests[3]!.json).toMatchObject({ channel: 'contact', url: contactReceiver.url, reason: expect.stringContaining('410'), failed_deliveries: 1 });

  await configure({ contact: { enabled: true } });
  await configure({ contact: { enabled: false } });
  await drain();
  await operations.waitFor(5);
  expect(operations.requests[4]!.json).toMatchObject({ channel: 'contact', reason: 'switched off by hand (configureWebhooks)', failed_deliveries: 0 });
  // Switching off what is already off tells nothing new.
  await configure({ contact: { enabled: false } });

  // The same events, in the same order, with the ids the webhooks carried.
  await stream.waitFor(5);
  expect(stream.data.map((d) => d.events.type)).toEqual(['CHANNEL_FAILING', 'DELIVERY_FAILED', 'CHANNEL_RECOVERED', 'CHANNEL_DISABLED', 'CHANNEL_DISABLED']);
  expect(stream.data.map((d) => d.events.id)).toEqual(operations.requests.map((r) => r.headers['webhook-id']));
  expect(stream.data.map((d) => d.events.payload)).toEqual(operations.requests.map((r) => r.json));
  stream.stop();
});

it('tells nothing of the operations channel itself: its own failures make no operational event', async () => {
  const before = await sql<{ n: string }>(t.databaseUrl, `select count(*) as n from events where channel = 'OPERATIONS'`);
  // Receivers of this test's own: a new URL starts each channel with a closed circuit.
  const failingContacts = await new TestReceiver().start();
  const failingOperations = await new TestReceiver().start();
  failingContacts.fallback = { status: 500 };
  failingOperations.fallback = { status: 500 };
  await configure({ contact: { url: failingContacts.url, enabled: true }, operations: { url: failingOperations.url, enabled: true } });
  await createContact(t, 'Loop Ltd');
  // The contact channel fails into the circuit breaker; the operations URL fails every attempt at what that tells.
  for (let i = 0; i < 4; i++) await drain();
  const events = await sql<{ type: string }>(t.databaseUrl, `select type from events where channel = 'OPERATIONS' order by seq offset $1`, [Number(before[0]!.n)]);
  expect(events.map((e) => e.type)).toEqual(['channel.failing', 'delivery.failed']);
  const { webhookSettings } = await t.ok(`{ webhookSettings { operations { consecutiveFailures failingSince } } }`);
  expect(webhookSettings.operations.consecutiveFailures).toBeGreaterThanOrEqual(3);
  expect(failingOperations.requests.map((r) => r.headers['x-recordengine-event'])).toContain('channel.failing');
  await failingContacts.stop();
  await failingOperations.stop();
});
