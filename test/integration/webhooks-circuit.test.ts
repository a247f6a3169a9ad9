import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, deliveries, pointChannel } from '../helpers/webhooks.js';

let t: TestApp;
let receiver: TestReceiver;

beforeAll(async () => {
  // Three attempts a delivery (then it fails for good), three failures in a row open the circuit.
  t = await startTestApp({ WEBHOOK_CIRCUIT_FAILURES: '3', WEBHOOK_RETRY_SCHEDULE: '0ms,0ms', WEBHOOK_TIMEOUT: '10s', WEBHOOK_DISABLE_AFTER: '1h' });
  // The worker moves only when the test steps it (runOnce, drain).
  await t.app.worker!.manual();
});
afterAll(async () => {
  await t.stop();
});
// Each test has a receiver of its own and a channel switched back on, which closes the circuit.
beforeEach(async () => {
  receiver = await new TestReceiver().start();
  await pointChannel(t, 'contact', receiver.url);
});
// Switching the channel off fails what waits on it; stopping the receiver ends what is under way.
afterEach(async () => {
  await t.ok(`mutation { configureWebhooks(input: { contact: { url: null, enabled: false } }) { contact { url } } }`);
  await receiver.stop();
  await t.app.worker!.drain();
});

async function contactChannel() {
  const { webhookSettings } = await t.ok(`{ webhookSettings { contact { url failingSince consecutiveFailures } } }`);
  return webhookSettings.contact as { url: string; failingSince: string | null; consecutiveFailures: number };
}

describe('the circuit breaker', () => {
  it('gives a channel that keeps failing one attempt at a time, and its full pace back after a success', async () => {
    receiver.fallback = { status: 500, body: 'down' };
    await createContact(t, 'First Failure Ltd');
    await t.app.worker!.drain();
    expect(receiver.requests).toHaveLength(3);
    expect(await contactChannel()).toMatchObject({ consecutiveFailures: 3, failingSince: expect.any(String) });

    // The receiver is back but slow: it answers when the test lets it.
    let answer!: () => void;
    receiver.fallback = { status: 200, until: new Promise<void>((resolve) => (answer = resolve)) };
    const ids = [];
    for (const name of ['A', 'B', 'C', 'D', 'E']) ids.push(await createContact(t, `Waiting ${name} Ltd`));
    // The circuit is open: a claim takes one of the five.
    expect(await t.app.worker!.runOnce()).toBe(1);
    await receiver.waitFor(4);
    // One attempt is under way: every claim from now on leaves the other four alone.
    expect(await t.app.worker!.runOnce()).toBe(0);
    expect(await t.app.worker!.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(4);

    // Its success closes the circuit: the other four follow.
    answer();
    await t.app.worker!.drain();
    expect(receiver.requests).toHaveLength(8);
    const delivered = await Promise.all(ids.map(async (id) => (await deliveries(t, { channel: 'CONTACT', entityId: id })).edges[0]!.node.status));
    expect(delivered).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(await contactChannel()).toMatchObject({ consecutiveFailures: 0, failingSince: null });
  });

  it('closes the circuit when the channel is pointed at another receiver', async () => {
    receiver.fallback = { status: 503 };
    await createContact(t, 'Second Failure Ltd');
    await t.app.worker!.drain();
    expect((await contactChannel()).consecutiveFailures).toBe(3);
    const other = await new TestReceiver().start();
    try {
      await pointChannel(t, 'contact', other.url);
      expect(await contactChannel()).toMatchObject({ url: other.url, consecutiveFailures: 0 });
    } finally {
      await other.stop();
    }
  });
});
