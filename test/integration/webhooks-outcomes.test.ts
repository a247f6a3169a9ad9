import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, deliveries, pointChannel, sql, webhookSettings } from '../helpers/webhooks.js';

let t: TestApp;
let receiver: TestReceiver;

beforeAll(async () => {
  // An attempt that is not meant to time out never does, however loaded the machine.
  t = await startTestApp({ WEBHOOK_TIMEOUT: '60s', WEBHOOK_RETRY_SCHEDULE: '0ms,0ms', WEBHOOK_DISABLE_AFTER: '1h' });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  receiver = await new TestReceiver().start();
  await pointChannel(t, 'contact', receiver.url);
});
afterEach(async () => {
  // Switched off and back on by the next test's pointChannel: each test starts with a channel
  // that has no failures recorded, nothing waiting on it, and offline mode off.
  await t.ok(`mutation { configureWebhooks(input: { contact: { url: null, enabled: false }, offlineMode: false }) { contact { url } } }`);
  await receiver.stop();
});

/** The contact.created delivery of a new contact once the worker has nothing left to do (retries are due at once here). */
async function settledDelivery(contactId: string, app: TestApp = t) {
  await app.app.worker!.drain();
  const edges = (await deliveries(app, { channel: 'CONTACT', entityId: contactId })).edges;
  expect(edges).toHaveLength(1);
  return edges[0]!.node;
}

/**
 * A URL whose connections are refused, and that nothing else can start serving meanwhile:
 * the test keeps the port bound on 127.0.0.1 (so no one else can bind it, on any address)
 * and the URL points at 127.0.0.2, where nothing listens on it.
 */
async function refusingUrl(): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address() as AddressInfo;
  return { url: `http://127.0.0.2:${port}/webhook`, port, close: () => new Promise((resolve) => holder.close(() => resolve())) };
}

describe('timeouts', () => {
  let short: TestApp;
  const TIMED_OUT = { ok: false, httpStatus: null, responseExcerpt: null, error: 'no complete answer within 500 ms (WEBHOOK_TIMEOUT)' };

  beforeAll(async () => {
    // Several retries: on a loaded machine an answer meant to come at once may also miss 500 ms.
    short = await startTestApp({ WEBHOOK_TIMEOUT: '500ms', WEBHOOK_RETRY_SCHEDULE: '0ms,0ms,0ms,0ms', WEBHOOK_DISABLE_AFTER: '1h' });
  });
  afterAll(async () => {
    await short.stop();
  });
  beforeEach(async () => {
    await pointChannel(short, 'contact', receiver.url);
  });
  afterEach(async () => {
    await short.ok(`mutation { configureWebhooks(input: { contact: { url: null, enabled: false } }) { contact { url } } }`);
  });

  it('counts a receiver that does not answer within WEBHOOK_TIMEOUT as a failed attempt, and retries', async () => {
    receiver.answers = [{ status: 200, hang: true }];
    const id = await createContact(short, 'Slow Ltd');
    const delivery = await settledDelivery(id, short);
    expect(delivery.status).toBe('SUCCEEDED');
    const [timedOut, ...later] = delivery.attempts;
    expect(timedOut).toMatchObject(TIMED_OUT);
    // A timer never fires early: the attempt lasted the whole limit.
    expect(timedOut.durationMs).toBeGreaterThanOrEqual(495);
    // The next attempt is answered at once; one that a loaded machine made miss the limit failed the same way.
    expect(later.at(-1)).toMatchObject({ ok: true, httpStatus: 200, error: null });
    for (const attempt of later.slice(0, -1)) expect(attempt).toMatchObject(TIMED_OUT);
  });

  it('times out a receiver that sends its headers and then stalls', async () => {
    const stalled = new Set<import('node:http').ServerResponse>();
    const server: Server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      stalled.add(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await pointChannel(short, 'contact', `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const id = await createContact(short, 'Stalling Ltd');
      const delivery = await settledDelivery(id, short);
      expect(delivery).toMatchObject({ status: 'FAILED', attemptCount: 5 });
      for (const attempt of delivery.attempts) {
        expect(attempt).toMatchObject({ ok: false, error: TIMED_OUT.error });
      }
    } finally {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('delivery outcomes', () => {
  it('counts a refused connection as a failed attempt and fails the delivery once the schedule is spent', async () => {
    const refusing = await refusingUrl();
    try {
      await pointChannel(t, 'contact', refusing.url);
      const id = await createContact(t, 'Nobody Home');
      const delivery = await settledDelivery(id);
      // WEBHOOK_RETRY_SCHEDULE=0ms,0ms: the first attempt and two retries, each due at once.
      expect(delivery).toMatchObject({ status: 'FAILED', attemptCount: 3, nextAttemptAt: null });
      expect(delivery.attempts).toHaveLength(3);
      for (const attempt of delivery.attempts) {
        expect(attempt).toMatchObject({ ok: false, httpStatus: null, error: `ECONNREFUSED: connect ECONNREFUSED 127.0.0.2:${refusing.port}` });
      }
    } finally {
      await refusing.close();
    }
  });

  it('fails a delivery whose receiver keeps answering 500 after the last retry, and keeps the answers', async () => {
    receiver.fallback = { status: 500, body: '{"error":"database is down"}' };
    const id = await createContact(t, 'Broken Receiver');
    const delivery = await settledDelivery(id);
    expect(delivery).toMatchObject({ status: 'FAILED', attemptCount: 3, nextAttemptAt: null });
    expect(delivery.attempts.map((a: { httpStatus: number }) => a.httpStatus)).toEqual([500, 500, 500]);
    expect(delivery.attempts[2]).toMatchObject({
      ok: false,
      responseExcerpt: '{"error":"database is down"}',
      error: 'the receiver answered HTTP 500; only 200 counts as delivered',
    });
    expect(receiver.requests).toHaveLength(3);
  });

  it('does not follow redirects: a 302 is a failed attempt', async () => {
    receiver.answers = [{ status: 302, headers: { location: `${receiver.url}/elsewhere` } }];
    const id = await createContact(t, 'Redirected');
    const delivery = await settledDelivery(id);
    expect(delivery.status).toBe('SUCCEEDED');
    expect(delivery.attempts[0]).toMatchObject({
      ok: false,
      httpStatus: 302,
      error: `the receiver answered HTTP 302 (a redirect to ${receiver.url}/elsewhere, which is not followed); only 200 counts as delivered`,
    });
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([delivery.event.id, delivery.event.id]);
  });

  it('cuts the answer kept with an attempt to 1 KB', async () => {
    receiver.answers = [{ status: 500, body: 'é'.repeat(2_000) }];
    const id = await createContact(t, 'Verbose');
    const delivery = await settledDelivery(id);
    const excerpt: string = delivery.attempts[0].responseExcerpt;
    expect(Buffer.byteLength(excerpt)).toBeLessThanOrEqual(1_024);
    expect(excerpt).toMatch(/^(é)+$/);
    expect(excerpt.length).toBe(512);
  });
});

describe('channel health', () => {
  it('disables a channel that has failed without a success for WEBHOOK_DISABLE_AFTER, says when and why, and fails what waits', async () => {
    receiver.fallback = { status: 500 };
    // The channel has been failing for two hours already; WEBHOOK_DISABLE_AFTER is 1h.
    const before = Date.now();
    await sql(t.databaseUrl, `update webhook_channels set failing_since = now() - interval '2 hours' where channel = 'CONTACT'`);
    await t.ok(`mutation { configureWebhooks(input: { offlineMode: true }) { offlineMode } }`);
    const first = await createContact(t, 'Last Straw');
    const waiting = await createContact(t, 'Waiting');
    await t.ok(`mutation { configureWebhooks(input: { offlineMode: false }) { offlineMode } }`);
    await t.app.worker!.drain();
    const { contact } = await webhookSettings(t);
    const after = Date.now();
    expect(contact).toMatchObject({ enabled: false, url: receiver.url });
    const [, since] = /^no attempt succeeded since (\S+Z) \(WEBHOOK_DISABLE_AFTER is 1h\)$/.exec(contact.disabledReason) ?? [];
    // The reason names the second the failures began (cut to the second), the settings when it was switched off.
    expect(new Date(since!).getTime()).toBeGreaterThanOrEqual(before - 2 * 3_600_000 - 1_000);
    expect(new Date(since!).getTime()).toBeLessThanOrEqual(after - 2 * 3_600_000);
    expect(new Date(contact.disabledAt).getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(new Date(contact.disabledAt).getTime()).toBeLessThanOrEqual(after);
    const statuses = await Promise.all([first, waiting].map(async (id) => (await deliveries(t, { channel: 'CONTACT', entityId: id })).edges[0]!.node));
    expect(statuses.map((d) => d.status)).toEqual(['FAILED', 'FAILED']);
    // Whichever of the two was claimed first made the only attempt; the other failed waiting.
    expect(receiver.requests.length).toBeGreaterThanOrEqual(1);
    expect(receiver.requests.length).toBeLessThanOrEqual(2);

    // Nothing is queued on a disabled channel.
    await createContact(t, 'While Off');
    expect((await deliveries(t, { channel: 'CONTACT', status: 'PENDING' })).edges).toHaveLength(0);

    // Switching it back on clears what the service recorded.
    receiver.fallback = { status: 200 };
    const { configureWebhooks: settings } = await t.ok(
      `mutation { configureWebhooks(input: { contact: { enabled: true } }) { contact { enabled disabledAt disabledReason } } }`,
    );
    expect(settings.contact).toEqual({ enabled: true, disabledAt: null, disabledReason: null });
    const [row] = await sql(t.databaseUrl, `select failing_since from webhook_channels where channel = 'CONTACT'`);
    expect(row!.failing_since).toBeNull();
  });

  it('switching a channel off fails what waits on it; redelivery waits until it is back on', async () => {
    await t.ok(`mutation { configureWebhooks(input: { offlineMode: true }) { offlineMode } }`);
    const id = await createContact(t, 'Switched Off');
    await t.ok(`mutation { configureWebhooks(input: { contact: { enabled: false }, offlineMode: false }) { offlineMode } }`);
    const [delivery] = (await deliveries(t, { channel: 'CONTACT', entityId: id })).edges.map((e) => e.node);
    expect(delivery).toMatchObject({ status: 'FAILED', attempts: [] });
    const refused = await t.gql(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, { id: delivery.id });
    expect(refused.errors?.[0]).toMatchObject({
      message: 'The CONTACT channel is switched off; set it up with configureWebhooks before queuing deliveries on it',
      extensions: { code: 'BAD_USER_INPUT', field: 'deliveryId' },
    });

    await t.ok(`mutation { configureWebhooks(input: { contact: { enabled: true } }) { offlineMode } }`);
    await t.ok(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, { id: delivery.id });
    await receiver.waitFor(1);
    expect(receiver.requests[0]!.headers['webhook-id']).toBe(delivery.event.id);
  });

  it('a success resets the failing clock', async () => {
    await sql(t.databaseUrl, `update webhook_channels set failing_since = now() - interval '50 minutes' where channel = 'CONTACT'`);
    const id = await createContact(t, 'Healthy Again');
    const delivery = await settledDelivery(id);
    expect(delivery.status).toBe('SUCCEEDED');
    const [row] = await sql(t.databaseUrl, `select failing_since, enabled from webhook_channels where channel = 'CONTACT'`);
    expect(row).toEqual({ failing_since: null, enabled: true });
  });

  it('starts the failing clock at the first failure after a success, without disabling', async () => {
    receiver.fallback = { status: 500 };
    const before = Date.now();
    const id = await createContact(t, 'First Failure');
    const delivery = await settledDelivery(id);
    expect(delivery.status).toBe('FAILED');
    const [row] = await sql(t.databaseUrl, `select failing_since, enabled from webhook_channels where channel = 'CONTACT'`);
    expect(row!.enabled).toBe(true);
    // Set by the first failed attempt, which came after the contact was created.
    expect(row!.failing_since.getTime()).toBeGreaterThanOrEqual(before);
    expect(row!.failing_since.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
