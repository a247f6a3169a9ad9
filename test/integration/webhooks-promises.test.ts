import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { configureWebhooks, createContact, deliveries, pointChannel, renameContact, sql, webhookSettings } from '../helpers/webhooks.js';

let t: TestApp;
let receiver: TestReceiver;

beforeAll(async () => {
  // A failed attempt waits an hour for its retry: what waits is seen waiting, and the test says when the retry falls due.
  t = await startTestApp({ WEBHOOK_RETRY_SCHEDULE: '1h,1h' });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  receiver = await new TestReceiver().start();
});
afterEach(async () => {
  await receiver.stop();
});

const names = (r: TestReceiver) => r.requests.map((req) => req.json.name as string);

/** The contact's deliveries, newest first, as [status, attemptCount]. */
async function deliveryStates(contactId: string) {
  const { edges } = await deliveries(t, { channel: 'CONTACT', entityId: contactId });
  return edges.map((e) => [e.node.status, e.node.attemptCount] as [string, number]);
}

/** The hour of a retry passes: the contact's waiting retry is due now. */
async function retryFallsDue(contactId: string) {
  await sql(t.databaseUrl, `update webhook_deliveries set next_attempt_at = now() where status = 'PENDING' and attempt_count > 0 and channel = 'CONTACT' and entity_id = $1`, [
    Number(contactId),
  ]);
}

describe('promises of the webhook channels', () => {
  it('a retrying delivery holds back the later events of its own contact only', async () => {
    await pointChannel(t, 'contact', receiver.url);
    receiver.answers = [{ status: 503 }];
    const retrying = await createContact(t, 'Retrying 0');
    await receiver.waitFor(1);
    await t.app.worker!.drain();
    await renameContact(t, retrying, 'Retrying 1');
    await renameContact(t, retrying, 'Retrying 2');
    const flowing = await createContact(t, 'Flowing 0');
    await renameContact(t, flowing, 'Flowing 1');
    await receiver.waitFor(3);
    await t.app.worker!.drain();
    expect(names(receiver)).toEqual(['Retrying 0', 'Flowing 0', 'Flowing 1']);
    expect(await deliveryStates(retrying)).toEqual([
      ['PENDING', 0],
      ['PENDING', 0],
      ['PENDING', 1],
    ]);
    const { edges } = await deliveries(t, { channel: 'CONTACT', entityId: retrying });
    expect(Date.parse(edges[2]!.node.nextAttemptAt)).toBeGreaterThan(Date.now() + 30 * 60_000);

    await retryFallsDue(retrying);
    await t.app.worker!.drain();
    expect(names(receiver)).toEqual(['Retrying 0', 'Flowing 0', 'Flowing 1', 'Retrying 0', 'Retrying 1', 'Retrying 2']);
    expect(await deliveryStates(retrying)).toEqual([
      ['SUCCEEDED', 1],
      ['SUCCEEDED', 1],
      ['SUCCEEDED', 2],
    ]);
  });

  it('offline mode holds every event and, once switched off, sends all of it, each contact in order', async () => {
    await pointChannel(t, 'contact', receiver.url, { offlineMode: true });
    const contacts = [await createContact(t, 'Held X 0'), await createContact(t, 'Held Y 0')];
    for (let i = 1; i <= 3; i++) {
      for (const [k, id] of contacts.entries()) await renameContact(t, id, `Held ${'XY'[k]} ${i}`);
    }
    await t.app.worker!.drain();
    expect(receiver.requests).toHaveLength(0);
    const held = (await Promise.all(contacts.map((id) => deliveries(t, { channel: 'CONTACT', entityId: id })))).flatMap((c) => c.edges.map((e) => e.node));
    expect(held.map((d) => [d.status, d.attemptCount])).toEqual(Array(8).fill(['PENDING', 0]));

    // The receiver answers when the test lets it: while each contact's first event is under way, its later ones wait.
    let answer!: () => void;
    receiver.fallback = { status: 200, until: new Promise<void>((resolve) => (answer = resolve)) };
    await configureWebhooks(t, { offlineMode: false });
    await receiver.waitFor(2);
    expect(await t.app.worker!.runOnce()).toBe(0);
    expect(names(receiver).sort()).toEqual(['Held X 0', 'Held Y 0']);
    answer();
    await receiver.waitFor(8);
    await t.app.worker!.drain();
    expect(names(receiver).filter((n) => n.startsWith('Held X'))).toEqual(['Held X 0', 'Held X 1', 'Held X 2', 'Held X 3']);
    expect(names(receiver).filter((n) => n.startsWith('Held Y'))).toEqual(['Held Y 0', 'Held Y 1', 'Held Y 2', 'Held Y 3']);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set(held.map((d) => d.event.id)));
  });

  it("changing a channel's URL sends what waits on it to the new URL", async () => {
    const old = receiver;
    old.fallback = { status: 503 };
    await pointChannel(t, 'contact', old.url);
    const moving = await createContact(t, 'Moving 0');
    await old.waitFor(1);
    await t.app.worker!.drain();
    await renameContact(t, moving, 'Moving 1');
    const fresh = await new TestReceiver().start();
    try {
      await pointChannel(t, 'contact', fresh.url);
      await renameContact(t, moving, 'Moving 2');
      await retryFallsDue(moving);
      await fresh.waitFor(3);
      await t.app.worker!.drain();
      expect(old.requests).toHaveLength(1);
      expect(names(fresh)).toEqual(['Moving 0', 'Moving 1', 'Moving 2']);
      expect(fresh.requests[0]!.headers['webhook-id']).toBe(old.requests[0]!.headers['webhook-id']);
    } finally {
      await fresh.stop();
    }
  });

  it('a 410 Gone switches the channel off and fails everything that waits on it', async () => {
    await pointChannel(t, 'contact', receiver.url);
    receiver.answers = [{ status: 500 }];
    const retrying = await createContact(t, 'Waiting For Its Retry');
    await receiver.waitFor(1);
    await t.app.worker!.drain();
    let gone!: () => void;
    receiver.answers = [{ status: 410, until: new Promise<void>((resolve) => (gone = resolve)) }];
    const leaving = await createContact(t, 'Gone 0');
    await receiver.waitFor(2);
    // Queued behind the attempt under way, which the receiver answers next with 410.
    await renameContact(t, leaving, 'Gone 1');
    await renameContact(t, leaving, 'Gone 2');
    gone();
    await t.app.worker!.drain();

    expect((await webhookSettings(t)).contact).toMatchObject({ enabled: false, disabledReason: 'the receiver answered 410 Gone' });
    expect(await deliveryStates(retrying)).toEqual([['FAILED', 1]]);
    expect(await deliveryStates(leaving)).toEqual([
      ['FAILED', 0],
      ['FAILED', 0],
      ['FAILED', 1],
    ]);
    expect(receiver.requests).toHaveLength(2);
  });

  it('refuses a webhook URL with a #fragment, an empty one too, naming the URL; the setting stays as it was', async () => {
    const before = (await webhookSettings(t)).document.url;
    for (const url of ['https://hooks.example.com/recordengine#section', 'https://hooks.example.com/recordengine#']) {
      const res = await configureWebhooks(t, { document: { url } });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.extensions?.value).toBe(url);
      expect(res.errors?.[0]?.message).toBe(`document.url ${JSON.stringify(url)} is refused: it has a #fragment, which is never sent`);
    }
    expect((await webhookSettings(t)).document.url).toBe(before);
  });
});
