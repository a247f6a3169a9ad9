import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { purgeExpired } from '../../src/webhooks/purge.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, deliveries, pointChannel, renameContact, sql, verifySignature } from '../helpers/webhooks.js';

const reference = JSON.parse(readFileSync(new URL('../fixtures/reference-payloads.json', import.meta.url), 'utf8')) as Record<string, any>;

let t: TestApp;
let receiver: TestReceiver;
let secret: string;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_MAX_PAYLOAD_BYTES: '2048', WEBHOOK_RETRY_SCHEDULE: '0ms' });
  receiver = await new TestReceiver().start();
  secret = (await pointChannel(t, 'contact', receiver.url, { bearerToken: 'log-token' })).signingSecret;
});
afterAll(async () => {
  await receiver.stop();
  await t.stop();
});
// Each test starts with only the contact channel on, offline mode off, and nothing under way.
beforeEach(async () => {
  receiver.answers = [];
  await t.ok(`mutation { configureWebhooks(input: { offlineMode: false, document: { url: null }, folder: { url: null } }) { offlineMode } }`);
  await t.app.worker!.drain();
});

const nodes = (connection: { edges: { node: any }[] }) => connection.edges.map((e) => e.node);

describe('the delivery log', () => {
  it('lists deliveries newest first, filtered by channel, status, event type and entity, in Relay pages', async () => {
    const [newest] = nodes(await deliveries(t, {}, 1));
    const mine = (list: any[]) => list.filter((d) => Number(d.id) > Number(newest?.id ?? 0));
    receiver.answers = [{ status: 500 }, { status: 500 }];
    const failing = await createContact(t, 'Filter One');
    await t.app.worker!.drain();
    await pointChannel(t, 'folder', receiver.url);
    const other = await createContact(t, 'Filter Two');
    await renameContact(t, other, 'Filter Two (renamed)');
    await t.app.worker!.drain();
    await t.ok(`mutation { configureWebhooks(input: { folder: { url: null } }) { folder { url } } }`);

    const all = nodes(await deliveries(t, {}, 500));
    expect(all.map((d) => Number(d.id))).toEqual([...all.map((d) => Number(d.id))].sort((a, b) => b - a));
    expect(new Set(mine(all).map((d) => d.channel))).toEqual(new Set(['CONTACT', 'FOLDER']));

    // The deliveries this test made: those after the newest one before it.
    const folderOnly = mine(nodes(await deliveries(t, { channel: 'FOLDER' }, 500)));
    expect(folderOnly).toHaveLength(2);
    expect(folderOnly.every((d) => d.channel === 'FOLDER' && d.event.type === 'FOLDER_CREATED')).toBe(true);

    const failed = mine(nodes(await deliveries(t, { status: 'FAILED' }, 500)));
    expect(failed.map((d) => [d.channel, d.event.payload.id])).toEqual([['CONTACT', Number(failing)]]);
    expect(failed[0].attempts.map((a: { httpStatus: number }) => a.httpStatus)).toEqual([500, 500]);

    const updates = mine(nodes(await deliveries(t, { eventType: 'CONTACT_UPDATED' }, 500)));
    expect(updates.map((d) => d.event.payload.name)).toEqual(['Filter Two (renamed)']);

    const ofOther = nodes(await deliveries(t, { channel: 'CONTACT', entityId: other }));
    expect(ofOther.map((d) => d.event.type)).toEqual(['CONTACT_UPDATED', 'CONTACT_CREATED']);
    expect(nodes(await deliveries(t, { channel: 'CONTACT', status: 'SUCCEEDED', entityId: failing }))).toEqual([]);

    // Pages of two, until the end: every delivery once, in order.
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await deliveries(t, {}, 2, after);
      expect(page.edges.length).toBeLessThanOrEqual(2);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
      after = page.pageInfo.endCursor!;
    }
    expect(seen).toEqual(all.map((d) => d.id));
  });

  it('keeps every attempt: when it started, how long it took, the status, the answer and the error', async () => {
    receiver.answers = [{ status: 503, body: 'maintenance', delayMs: 20 }];
    const before = Date.now();
    const received = receiver.requests.length;
    const id = await createContact(t, 'Attempts');
    await receiver.waitFor(received + 2);
    await t.app.worker!.drain();
    const [delivery] = nodes(await deliveries(t, { channel: 'CONTACT', entityId: id }));
    expect(delivery).toMatchObject({ status: 'SUCCEEDED', attemptCount: 2, nextAttemptAt: null });
    const [failed, ok] = delivery.attempts;
    expect(failed).toMatchObject({ ok: false, httpStatus: 503, responseExcerpt: 'maintenance', error: 'the receiver answered HTTP 503; only 200 counts as delivered' });
    expect(failed.durationMs).toBeGreaterThanOrEqual(15);
    expect(ok).toMatchObject({ ok: true, httpStatus: 200, responseExcerpt: '{"received":true}', error: null });
    for (const a of delivery.attempts) {
      expect(a.startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
      expect(new Date(a.startedAt).getTime()).toBeGreaterThanOrEqual(before - 1_000);
    }
    expect(new Date(ok.startedAt).getTime()).toBeGreaterThanOrEqual(new Date(failed.startedAt).getTime());
  });

  it('redelivers a delivery with the same webhook-id', async () => {
    const id = await createContact(t, 'Redeliver Me');
    await t.app.worker!.drain();
    const [delivery] = nodes(await deliveries(t, { channel: 'CONTACT', entityId: id }));
    const before = receiver.requests.length;
    const { redeliverWebhook } = await t.ok(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id status event { id } } }`, { id: delivery.id });
    expect(redeliverWebhook).toMatchObject({ id: delivery.id, event: { id: delivery.event.id } });
    await receiver.waitFor(before + 1);
    await t.app.worker!.drain();
    const again = receiver.requests[before]!;
    expect(again.headers['webhook-id']).toBe(delivery.event.id);
    expect(verifySignature(secret, again)).toStrictEqual(delivery.event.payload);
    const [after] = nodes(await deliveries(t, { channel: 'CONTACT', entityId: id }));
    expect(after).toMatchObject({ id: delivery.id, status: 'SUCCEEDED' });
    expect(after.attempts.map((a: { ok: boolean }) => a.ok)).toEqual([true, true]);
  });

  it('names the problem with a delivery id that is unknown or malformed', async () => {
    const unknown = await t.gql(`mutation { redeliverWebhook(deliveryId: "987654321") { id } }`);
    expect(unknown.errors?.[0]).toMatchObject({ message: 'WebhookDelivery "987654321" does not exist', extensions: { code: 'NOT_FOUND' } });
    for (const bad of ['abc', '0', '-1', '99999999999999999999', '9223372036854775808']) {
      const res = await t.gql(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, { id: bad });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'deliveryId' });
      expect(res.errors?.[0]?.message).toBe(`deliveryId "${bad}" is not a delivery id`);
    }
    const query = await t.gql(`{ webhookDelivery(id: "x1") { id } }`);
    expect(query.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    const missing = await t.gql(`{ webhookDelivery(id: "987654321") { id } }`);
    expect(missing.errors?.[0]).toMatchObject({ message: 'WebhookDelivery "987654321" does not exist', extensions: { code: 'NOT_FOUND' } });
    const cursor = await t.gql(`{ webhookDeliveries(after: "nonsense") { edges { cursor } } }`);
    expect(cursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const entity = await t.gql(`{ webhookDeliveries(filter: { entityId: "Acme" }) { edges { cursor } } }`);
    expect(entity.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.entityId' });
  });

  it('replays a channel from an event cursor or an instant, with a dry run that only counts', async () => {
    for (const name of ['Replay One', 'Replay Two', 'Replay Three']) await createContact(t, name);
    await t.app.worker!.drain();
    const { events } = await t.ok(`{ events(types: [CONTACT_CREATED, CONTACT_UPDATED], first: 500) { edges { node { id cursor occurredAt } } } }`);
    const log = events.edges.map((e: { node: { id: string; cursor: string } }) => e.node);
    const from = log[log.length - 3];
    const replayed = log.slice(-2).map((e: { id: string }) => e.id);

    const dry = await t.ok(`mutation($c: String!) { replayWebhooks(input: { channel: CONTACT, afterCursor: $c, dryRun: true }) { count queued } }`, { c: from.cursor });
    expect(dry.replayWebhooks).toEqual({ count: 2, queued: false });
    const pendingBefore = nodes(await deliveries(t, { status: 'PENDING' }));

    const before = receiver.requests.length;
    const real = await t.ok(`mutation($c: String!) { replayWebhooks(input: { channel: CONTACT, afterCursor: $c }) { count queued } }`, { c: from.cursor });
    expect(real.replayWebhooks).toEqual({ count: 2, queued: true });
    await receiver.waitFor(before + 2);
    expect(receiver.requests.slice(before).map((r) => r.headers['webhook-id']).sort()).toEqual([...replayed].sort());
    expect(pendingBefore).toEqual([]);

    // occurredAt is shown to the second; the log keeps it finer.
    const since = (await sql(t.databaseUrl, `select occurred_at from events where id = $1`, [log[log.length - 1].id]))[0]!.occurred_at;
    const bySince = await t.ok(`mutation($s: DateTime!) { replayWebhooks(input: { channel: CONTACT, since: $s, dryRun: true }) { count queued } }`, { s: since });
    expect(bySince.replayWebhooks).toEqual({ count: 1, queued: false });

    const neither = await t.gql(`mutation { replayWebhooks(input: { channel: CONTACT }) { count } }`);
    expect(neither.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badCursor = await t.gql(`mutation { replayWebhooks(input: { channel: CONTACT, afterCursor: "abc" }) { count } }`);
    expect(badCursor.errors?.[0]).toMatchObject({ message: 'afterCursor "abc" is not an event cursor', extensions: { code: 'BAD_USER_INPUT' } });
    const off = await t.gql(`mutation($c: String!) { replayWebhooks(input: { channel: DOCUMENT, afterCursor: $c }) { count } }`, { c: from.cursor });
    expect(off.errors?.[0]?.message).toBe('The DOCUMENT channel has no URL; set it up with configureWebhooks before queuing deliveries on it');
    await t.app.worker!.drain();
  });

  it('testWebhook sends the reference example now and returns the attempt inline, outside the log', async () => {
    await pointChannel(t, 'document', receiver.url);
    const logged = (await deliveries(t, {}, 500)).edges.length;
    const before = receiver.requests.length;
    // The receiver takes 50 ms to answer: the attempt's duration includes them.
    receiver.answers = [{ status: 200, body: '{"received":true}', delayMs: 50 }];
    const called = Date.now();
    const { testWebhook } = await t.ok(`mutation { testWebhook(channel: DOCUMENT) { ok httpStatus durationMs startedAt responseExcerpt error } }`);
    const answered = Date.now();
    expect(testWebhook).toMatchObject({ ok: true, httpStatus: 200, responseExcerpt: '{"received":true}', error: null });
    // The attempt happened within the call: it started after the call and lasted no longer than it.
    expect(Number.isInteger(testWebhook.durationMs)).toBe(true);
    expect(testWebhook.durationMs).toBeGreaterThanOrEqual(50);
    expect(testWebhook.durationMs).toBeLessThanOrEqual(answered - called);
    expect(new Date(testWebhook.startedAt).getTime()).toBeGreaterThanOrEqual(Math.floor(called / 1000) * 1000);
    const sent = receiver.requests[before]!;
    expect(sent.headers['x-recordengine-event']).toBe('document.exported');
    expect(sent.headers['webhook-id']).toMatch(/^msg_test_[0-9a-f]{32}$/);
    expect(sent.headers.authorization).toBe('Bearer log-token');
    expect(verifySignature(secret, sent)).toStrictEqual(sent.json);
    expect(sent.json).toStrictEqual({ ...reference.document, doc_url: `${t.url}/api/document/847/view` });
    expect((await deliveries(t, {}, 500)).edges).toHaveLength(logged);

    receiver.answers = [{ status: 500, body: 'nope' }];
    const failing = await t.ok(`mutation { testWebhook(channel: CONTACT) { ok httpStatus responseExcerpt error } }`);
    expect(failing.testWebhook).toEqual({ ok: false, httpStatus: 500, responseExcerpt: 'nope', error: 'the receiver answered HTTP 500; only 200 counts as delivered' });
    expect(receiver.requests.at(-1)!.json).toStrictEqual(reference.contact);

    const unset = await t.gql(`mutation { testWebhook(channel: FOLDER) { ok } }`);
    expect(unset.errors?.[0]).toMatchObject({
      message: 'The FOLDER channel has no URL to test; set one with configureWebhooks first',
      extensions: { code: 'BAD_USER_INPUT', field: 'channel', value: 'FOLDER' },
    });
    await t.ok(`mutation { configureWebhooks(input: { document: { url: null } }) { document { url } } }`);
  });

  it('refuses a change whose payload would pass WEBHOOK_MAX_PAYLOAD_BYTES, and changes nothing', async () => {
    const countOf = async () => Number((await sql(t.databaseUrl, `select (select count(*) from contacts) + (select count(*) from events) as n`))[0]!.n);
    const before = await countOf();
    const res = await t.gql(`mutation($notes: String!) { createContact(input: { name: "Too Big", type: CLIENT, notes: $notes }) { id } }`, { notes: 'n'.repeat(3_000) });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'payload', limit: 2048 });
    expect(res.errors?.[0]?.message).toMatch(/^The contact\.created payload would be \d+ bytes, over the limit of 2048 bytes \(WEBHOOK_MAX_PAYLOAD_BYTES\); nothing was changed$/);
    expect(await countOf()).toBe(before);

    const id = await createContact(t, 'Small');
    const update = await t.gql(`mutation($id: ID!, $notes: String!) { updateContact(id: $id, input: { notes: $notes }) { id } }`, { id, notes: 'n'.repeat(3_000) });
    expect(update.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const { contact } = await t.ok(`query($id: ID!) { contact(id: $id) { notes } }`, { id });
    expect(contact.notes).toBeNull();
    await t.app.worker!.drain();
  });

  it('purges delivered events and their attempts past the retention, and keeps what is pending', async () => {
    // Two delivered contacts: six events (each contact's and its two folders'), two batches of three and more.
    for (const name of ['Delivered One', 'Delivered Two']) await createContact(t, name);
    await t.app.worker!.drain();
    await t.ok(`mutation { configureWebhooks(input: { offlineMode: true }) { offlineMode } }`);
    const held = await createContact(t, 'Held Back');
    const [pending] = nodes(await deliveries(t, { channel: 'CONTACT', entityId: held }));
    expect(pending.status).toBe('PENDING');
    const attemptsBefore = (await sql(t.databaseUrl, `select count(*)::int as n from webhook_attempts`))[0]!.n;
    expect(attemptsBefore).toBeGreaterThan(0);

    const purged = await purgeExpired(t.app.database.orm.em.fork(), 1, 3);
    expect(purged).toBeGreaterThan(3);
    const remaining = nodes(await deliveries(t, {}, 500));
    expect(remaining.map((d) => d.id)).toEqual([pending.id]);
    const attemptsAfter = (await sql(t.databaseUrl, `select count(*)::int as n from webhook_attempts`))[0]!.n;
    expect(attemptsAfter).toBe(0);
    const { events } = await t.ok(`{ events(first: 500) { edges { node { id } } } }`);
    expect(events.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([pending.event.id]);

    // Counted before switching: the delivery may arrive before the mutation's answer does.
    const before = receiver.requests.length;
    await t.ok(`mutation { configureWebhooks(input: { offlineMode: false }) { offlineMode } }`);
    await receiver.waitFor(before + 1);
    expect(receiver.requests[before]!.headers['webhook-id']).toBe(pending.event.id);
  });
});

