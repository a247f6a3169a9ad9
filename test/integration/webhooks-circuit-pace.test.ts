import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, deliveries, pointChannel } from '../helpers/webhooks.js';

let t: TestApp;
let contacts: TestReceiver;
let folders: TestReceiver;

beforeAll(async () => {
  // Four worker slots: without the circuit breaker, four hanging contact deliveries would hold them all.
  t = await startTestApp({ WEBHOOK_CIRCUIT_FAILURES: '2', WEBHOOK_CONCURRENCY: '4', WEBHOOK_RETRY_SCHEDULE: '1h', WEBHOOK_TIMEOUT: '60s' });
  contacts = await new TestReceiver().start();
  folders = await new TestReceiver().start();
});
afterAll(async () => {
  await contacts.stop();
  await folders.stop();
  await t.stop();
});

describe('the circuit breaker', () => {
  it("keeps the other channels at their pace while one channel's receiver hangs", async () => {
    await pointChannel(t, 'contact', contacts.url);
    await pointChannel(t, 'folder', folders.url);
    // Each contact fires contact.created, and folder.created for its two folders.
    contacts.answers = [{ status: 500 }, { status: 500 }];
    await createContact(t, 'Failing A');
    await createContact(t, 'Failing B');
    await contacts.waitFor(2);
    await t.app.worker!.drain();
    const { webhookSettings } = await t.ok(`{ webhookSettings { contact { consecutiveFailures } } }`);
    expect(webhookSettings.contact.consecutiveFailures).toBe(2);

    // From here the contact receiver answers only when the test lets it.
    let answer!: () => void;
    contacts.fallback = { status: 200, until: new Promise<void>((resolve) => (answer = resolve)) };
    const hanging = [await createContact(t, 'Hanging 0')];
    await contacts.waitFor(3);
    for (let i = 1; i < 6; i++) hanging.push(await createContact(t, `Hanging ${i}`));
    // Every folder event arrives while the one contact attempt the open circuit allows hangs.
    await folders.waitFor(2 * 8);
    expect(contacts.requests).toHaveLength(3);

    answer();
    await contacts.waitFor(2 + 6);
    await t.app.worker!.drain();
    const states = await Promise.all(hanging.map(async (id) => (await deliveries(t, { channel: 'CONTACT', entityId: id })).edges[0]!.node.status));
    expect(states).toEqual(Array(6).fill('SUCCEEDED'));
    const folderStates = (await deliveries(t, { channel: 'FOLDER' })).edges.map((e) => e.node.status);
    expect(folderStates).toEqual(Array(16).fill('SUCCEEDED'));
  });
});
