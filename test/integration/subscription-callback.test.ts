import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fanout } from '../../src/bridge/fanout.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { CallbackRouter, messagesOf, type RouterSubscription } from '../helpers/callback-router.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, pointChannel } from '../helpers/webhooks.js';

/** A token's life in the expiry tests: long enough for its setup on a loaded machine, which a shorter one would outlive. */
const EXPIRY_MS = 4000;

/** Short, so that heartbeats come within a test; the router's default is 5 s. */
const HEARTBEAT_MS = 40;

let t: TestApp;
let router: CallbackRouter;

beforeAll(async () => {
  router = await new CallbackRouter().start();
  t = await startTestApp({ SUBSCRIPTION_CALLBACK_URLS: router.prefix });
});
afterAll(async () => {
  await t.stop();
  await router.stop();
});

/** Resolves once the fanout has at most `count` subscribers. */
async function sizeDropsTo<T>(fanout: Fanout<T>, count: number): Promise<void> {
  while (fanout.size > count) await once(fanout, 'size');
}

const subscribe = (query: string, opts: Parameters<CallbackRouter['subscribe']>[3] = {}) => router.subscribe(t.url, t.token, query, opts);

describe('a router subscribing with the HTTP callback protocol', () => {
  it('is checked first, then gets a next for each event of a mutation, with the webhook event id', async () => {
    const receiver = await new TestReceiver().start();
    try {
      await pointChannel(t, 'contact', receiver.url);
      const fanout = t.app.broadcaster.fanout;
      const before = fanout.size;
      const changed = await subscribe('subscription { contactChanged { name } }');
      const events = await subscribe('subscription { events(types: [CONTACT_CREATED]) { id type payload } }');
      for (const answer of [changed, events]) {
        // The protocol's answer once the check passed: 200 and empty data.
        expect(answer).toMatchObject({ status: 200, body: { data: null } });
        expect(answer.body.errors).toBeUndefined();
        expect(answer.sub.messages[0]).toMatchObject({ action: 'check', status: 204 });
        expect(answer.sub.messages[0]!.headers['subscription-protocol']).toBe('callback/1.0');
      }
      expect(fanout.size).toBe(before + 2);

      await createContact(t, 'Callback Corp');
      await router.waitUntil(() => messagesOf(changed.sub, 'next').length >= 1 && messagesOf(events.sub, 'next').length >= 1, 'both nexts');
      await receiver.waitFor(1);

      expect(messagesOf(changed.sub, 'next').map((m) => m.payload)).toEqual([{ data: { contactChanged: { name: 'Callback Corp' } } }]);
      const [next] = messagesOf(events.sub, 'next');
      // The webhook's event: the same id as its webhook-id, the same payload as its body.
      expect(next!.payload!.data!.events).toMatchObject({ type: 'CONTACT_CREATED', payload: { name: 'Callback Corp' } });
      expect(next!.payload!.data!.events.id).toBe(receiver.requests[0]!.headers['webhook-id']);
      expect(next!.payload!.data!.events.payload).toEqual(receiver.requests[0]!.json);
      expect(next).toMatchObject({ id: events.sub.id, verifier: events.sub.verifier, status: 200 });
    } finally {
      await receiver.stop();
    }
  });

  it('sends a heartbeat check every heartbeatIntervalMs', async () => {
    const { sub } = await subscribe('subscription { folderChanged { id } }', { heartbeatIntervalMs: HEARTBEAT_MS });
    await router.waitUntil(() => messagesOf(sub, 'check').length >= 4, 'three heartbeats');
    const heartbeats = messagesOf(sub, 'check').slice(1);
    for (const heartbeat of heartbeats) {
      expect(heartbeat).toMatchObject({ id: sub.id, verifier: sub.verifier, status: 204 });
      expect(heartbeat.headers['subscription-protocol']).toBe('callback/1.0');
    }
  });
});

describe('a subscription the router dropped (404)', () => {
  /**
   * After `ended` was dropped: a control subscription with the same heartbeat gets three more
   * heartbeats and the next of a new contact, which `ended` would have got too.
   */
  async function expectNothingMoreFor(ended: RouterSubscription) {
    const control = await subscribe('subscription { contactChanged { name } }', { heartbeatIntervalMs: HEARTBEAT_MS });
    const seen = ended.messages.length;
    await createContact(t, 'After The End');
    await router.waitUntil(() => messagesOf(control.sub, 'check').length >= 4 && messagesOf(control.sub, 'next').length >= 1, 'the control heartbeats and next');
    expect(ended.messages.length).toBe(seen);
    expect(messagesOf(control.sub, 'next')[0]!.payload).toEqual({ data: { contactChanged: { name: 'After The End' } } });
  }

  it('ends on the service when a heartbeat is answered 404: no more posts, the subscriber detached', async () => {
    const fanout = t.app.broadcaster.fanout;
    const before = fanout.size;
    const { sub } = await subscribe('subscription { contactChanged { name } }', { heartbeatIntervalMs: HEARTBEAT_MS, dropOn: 'check' });
    expect(fanout.size).toBe(before + 1);
    await router.waitUntil(() => sub.endedAt !== undefined, 'the 404 to a heartbeat');
    await sizeDropsTo(fanout, before);
    expect(sub.messages.at(-1)).toMatchObject({ action: 'check', status: 404 });
    await expectNothingMoreFor(sub);
  });

  it('ends on the service when a next is answered 404', async () => {
    const fanout = t.app.broadcaster.fanout;
    const before = fanout.size;
    const { sub } = await subscribe('subscription { contactChanged { name } }', { dropOn: 'next' });
    expect(fanout.size).toBe(before + 1);
    await createContact(t, 'Dropped On Next');
    await router.waitUntil(() => sub.endedAt !== undefined, 'the 404 to a next');
    await sizeDropsTo(fanout, before);
    expect(sub.messages.map((m) => [m.action, m.status])).toEqual([
      ['check', 204],
      ['next', 404],
    ]);
    await expectNothingMoreFor(sub);
  });
});

describe('refusals', () => {
  it('a subscription whose arguments are refused is completed with the error, and streams nothing', async () => {
    const before = t.app.broadcaster.fanout.size;
    const answer = await subscribe('subscription { events(after: "not-a-cursor") { id } }');
    expect(answer).toMatchObject({ status: 200, body: { data: null } });
    await router.waitUntil(() => messagesOf(answer.sub, 'complete').length === 1, 'the complete');
    const [complete] = messagesOf(answer.sub, 'complete');
    expect(answer.sub.messages[0]!.action).toBe('check');
    expect(complete!.errors).toHaveLength(1);
    expect(complete!.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(complete!.errors![0]!.message).toContain('not-a-cursor');
    expect(t.app.broadcaster.fanout.size).toBe(before);
  });

  it('a document that fails validation, a bad variable, or a query gets HTTP 400 and nothing is sent to the router', async () => {
    const watched = t.app.callbackTokens.size;
    const cases = [
      { query: 'subscription { contactChanged { nope } }', code: 'GRAPHQL_VALIDATION_FAILED' },
      { query: 'subscription($id: ID) { contactChanged(contactId: $id) { name } }', variables: { id: { not: 'an id' } }, code: 'BAD_USER_INPUT' },
      { query: '{ __typename }', code: 'BAD_USER_INPUT' },
    ];
    for (const { query, variables, code } of cases) {
      const answer = await subscribe(query, { variables });
      expect(answer.status, query).toBe(400);
      expect(answer.body.errors?.[0]?.extensions?.code, query).toBe(code);
      expect(answer.sub.messages, query).toEqual([]);
    }
    // Nothing is kept for a subscription that never began.
    expect(t.app.callbackTokens.size).toBe(watched);
  });

  it('a callback URL outside SUBSCRIPTION_CALLBACK_URLS gets HTTP 400 and is never called', async () => {
    const elsewhere = await new TestReceiver().start();
    try {
      // Another server, and the router's own origin beside the prefix's path.
      for (const callbackUrl of [elsewhere.url, `${router.prefix.replace(/\/$/, '')}-beside/1`]) {
        const answer = await subscribe('subscription { contactChanged { name } }', { callbackUrl });
        expect(answer.status, callbackUrl).toBe(400);
        expect(answer.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
        expect(answer.body.errors?.[0]?.message).toContain('SUBSCRIPTION_CALLBACK_URLS');
        expect(answer.sub.messages).toEqual([]);
      }
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await elsewhere.stop();
    }
  });

  it('a check the router refuses gets HTTP 400 and no subscriber', async () => {
    const before = t.app.broadcaster.fanout.size;
    const answer = await subscribe('subscription { contactChanged { name } }', { refuseCheck: 400 });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(answer.body.errors?.[0]?.message).toContain('check');
    expect(answer.sub.messages.map((m) => [m.action, m.status])).toEqual([['check', 400]]);
    expect(t.app.broadcaster.fanout.size).toBe(before);
  });

  it('a check the router never answers gets HTTP 400 once it and the plugin\'s 5 retries have each run out of WEBHOOK_TIMEOUT, and no subscriber', async () => {
    const bounded = await startTestApp({ SUBSCRIPTION_CALLBACK_URLS: router.prefix, WEBHOOK_TIMEOUT: '300ms' }, t.databaseUrl);
    let release!: () => void;
    const holdCheck = new Promise<void>((resolve) => (release = resolve));
    try {
      const before = bounded.app.broadcaster.fanout.size;
      const started = performance.now();
      const answer = await router.subscribe(bounded.url, bounded.token, 'subscription { contactChanged { name } }', { holdCheck });
      const tookMs = performance.now() - started;
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect(answer.body.errors?.[0]?.message).toContain('did not confirm the subscription (check)');
      expect(answer.body.errors?.[0]?.message).toContain('timed out after 300 ms');
      // Six tries of 300 ms, and the plugin's pauses between them (0.1 s doubling up to 1 s).
      expect(tookMs).toBeGreaterThanOrEqual(6 * 300);
      expect(tookMs).toBeLessThan(10_000);
      expect(bounded.app.broadcaster.fanout.size).toBe(before);
    } finally {
      release();
      await bounded.stop();
    }
  });

  it('without SUBSCRIPTION_CALLBACK_URLS, callback subscriptions are refused', async () => {
    const off = await startTestApp({}, t.databaseUrl);
    try {
      const answer = await router.subscribe(off.url, off.token, 'subscription { contactChanged { name } }');
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]?.message).toContain('SUBSCRIPTION_CALLBACK_URLS');
      expect(answer.sub.messages).toEqual([]);
    } finally {
      await off.app.stop();
    }
  });

  it('needs the bearer token like any request', async () => {
    const answer = await router.subscribe(t.url, 're_' + '0'.repeat(40), 'subscription { contactChanged { name } }');
    expect(answer.status).toBe(401);
    expect(answer.sub.messages).toEqual([]);
  });
});

describe('a callback receiver slower than the events', () => {
  it('is ended with SUBSCRIBER_TOO_SLOW instead of being buffered for', async () => {
    const slow = await startTestApp({ SUBSCRIPTION_CALLBACK_URLS: router.prefix, WS_SUBSCRIBER_BUFFER: '1' }, t.databaseUrl);
    try {
      const fanout = slow.app.broadcaster.fanout;
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const { sub } = await router.subscribe(slow.url, slow.token, 'subscription { contactChanged { name } }', { holdNext: held });
      const overflowed = once(fanout, 'overflow');
      let done = false;
      void overflowed.then(() => {
        done = true;
      });
      // One next waits for the router's answer; the events after it pile up until the buffer overflows.
      for (let i = 0; i < 50 && !done; i++) await createContact(slow, `Pile ${i}`);
      await overflowed;
      expect(fanout.size).toBe(0);
      release();
      await router.waitUntil(() => messagesOf(sub, 'complete').length === 1, 'the complete');
      const [complete] = messagesOf(sub, 'complete');
      expect(complete!.errors?.[0]).toMatchObject({ extensions: { code: 'SUBSCRIBER_TOO_SLOW', limit: 1 } });
      expect(messagesOf(sub, 'next').length).toBeGreaterThanOrEqual(1);
    } finally {
      await slow.app.stop();
    }
  });
});

describe('a subscription whose token expires', () => {
  it('is completed with UNAUTHENTICATED when the token expires', async () => {
    const fanout = t.app.broadcaster.fanout;
    const before = fanout.size;
    const { createApiToken } = await t.ok(`mutation($at: DateTime!) { createApiToken(input: { name: "short-lived router", scopes: [READ], expiresAt: $at }) { secret } }`, {
      at: new Date(Date.now() + EXPIRY_MS).toISOString(),
    });
    const { sub } = await router.subscribe(t.url, createApiToken.secret, 'subscription { contactChanged { name } }');
    expect(fanout.size).toBe(before + 1);
    await router.waitUntil(() => messagesOf(sub, 'complete').length === 1, 'the complete');
    const [complete] = messagesOf(sub, 'complete');
    expect(complete!.errors?.[0]).toMatchObject({ message: expect.stringContaining('expired'), extensions: { code: 'UNAUTHENTICATED' } });
    await sizeDropsTo(fanout, before);
  });
});

describe('a subscription whose token is regenerated away', () => {
  it('is completed with UNAUTHENTICATED, as a WebSocket of that token is closed', async () => {
    const fanout = t.app.broadcaster.fanout;
    const before = fanout.size;
    const { sub } = await subscribe('subscription { contactChanged { name } }');
    expect(fanout.size).toBe(before + 1);
    const { regenerateApiToken } = await t.ok(`mutation { regenerateApiToken }`);
    await router.waitUntil(() => messagesOf(sub, 'complete').length === 1, 'the complete');
    const [complete] = messagesOf(sub, 'complete');
    expect(complete!.errors?.[0]).toMatchObject({ message: expect.stringContaining('was revoked or regenerated'), extensions: { code: 'UNAUTHENTICATED' } });
    await sizeDropsTo(fanout, before);
    // The new token subscribes again.
    const again = await router.subscribe(t.url, regenerateApiToken as string, 'subscription { contactChanged { name } }');
    expect(again.sub.messages[0]).toMatchObject({ action: 'check', status: 204 });
  });
});
