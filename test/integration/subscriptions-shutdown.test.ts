import { expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';
import { trackResources } from '../helpers/open-resources.js';
import { TestWsClient } from '../helpers/ws-client.js';

it('stop() closes every socket with 1001 and leaves no socket, server or timer behind', async () => {
  const resources = trackResources();
  const t = await startTestApp({ WS_KEEP_ALIVE: '200ms', WS_POLL_INTERVAL: '50ms' });
  const clients = [new TestWsClient(t.url, { token: t.token }), new TestWsClient(t.url, { token: t.token })];
  const [a, b] = clients as [TestWsClient, TestWsClient];
  const live = a.subscribe(`subscription { events { id } }`);
  a.subscribe(`subscription { contactChanged { id } }`);
  b.subscribe(`subscription($ch: WebhookChannel) { webhookDeliveryUpdated(channel: $ch) { attempt { ok } } }`, { ch: 'CONTACT' });
  // `events` without a cursor starts live: the subscribers are attached before anything happens.
  await t.app.broadcaster.fanout.whenAttached(2);
  await t.app.deliveryFeed.fanout.whenAttached(1);
  await t.ok(`mutation { createContact(input: { name: "Before Shutdown", type: CLIENT }) { id } }`);
  await live.waitFor(3);

  await t.stop();
  expect(await a.closed()).toEqual({ code: 1001, reason: 'Going away' });
  expect(await b.closed()).toEqual({ code: 1001, reason: 'Going away' });
  expect(t.app.broadcaster.fanout.size + t.app.deliveryFeed.fanout.size).toBe(0);
  await Promise.all(clients.map((c) => c.dispose()));
  await resources.expectNoneLeft();
});
