import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { contactPayload } from '../../src/events/payloads.js';
import { SAMPLE_CONTACT } from '../../src/events/samples.js';
import { encodeCursor } from '../../src/outbox/event-log.js';
import { appendEvent } from '../../src/outbox/append-events.js';
import { transactionChanges } from '../../src/outbox/event-hints.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { TestWsClient } from '../helpers/ws-client.js';

const MAX_SUBSCRIPTIONS = 5;

let t: TestApp;
const clients: TestWsClient[] = [];

function client(): TestWsClient {
  const c = new TestWsClient(t.url, { token: t.token });
  clients.push(c);
  return c;
}

type EventNode = { id: string; cursor: string; type: string; payload: Record<string, any> };

async function logEvents(): Promise<EventNode[]> {
  const { events } = await t.ok(`{ events(first: 500) { edges { node { id cursor type payload } } } }`);
  return events.edges.map((e: { node: EventNode }) => e.node);
}

async function contactWithFolder(name: string) {
  const { createContact } = await t.ok(`mutation($n: String!) { createContact(input: { name: $n, type: CLIENT }) { id folders { edges { node { id } } } } }`, { n: name });
  return { contactId: createContact.id as string, folderId: createContact.folders.edges[0].node.id as string };
}

async function approvedDocument(folderId: string, docType: string) {
  const { createDocument } = await t.ok(`mutation($f: ID!) { createDocument(input: { folderId: $f, filename: "scan.pdf" }) { id } }`, { f: folderId });
  const id = createDocument.id as string;
  await t.ok(`mutation($id: ID!, $t: String) { recordExtraction(id: $id, input: { docType: $t, confidenceScore: 95 }) { id } }`, { id, t: docType });
  await t.ok(`mutation($id: ID!) { a: setDocumentStatus(id: $id, status: READY) { id } b: setDocumentStatus(id: $id, status: APPROVED) { id } }`, { id });
  return id;
}

beforeAll(async () => {
  t = await startTestApp({ WS_MAX_SUBSCRIPTIONS_PER_SOCKET: String(MAX_SUBSCRIPTIONS) });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await Promise.all([t.app.broadcaster.fanout.whenEmpty(), t.app.deliveryFeed.fanout.whenEmpty()]);
});
afterAll(async () => {
  await t.stop();
});

describe('events(types, after)', () => {
  it('streams each event with the id and the payload of its webhook', async () => {
    const receiver = await new TestReceiver().start();
    try {
      await t.ok(`mutation($u: String) { configureWebhooks(input: { contact: { url: $u, enabled: true } }) { signingSecret } }`, { u: receiver.url });
      const sub = client().subscribe<{ events: EventNode }>(`subscription { events { id cursor type payload } }`);
      await t.app.broadcaster.fanout.whenAttached(1);
      await t.ok(`mutation { createContact(input: { name: "Webhook Twin", type: PARTNER, email: "twin@example.com" }) { id } }`);
      await receiver.waitFor(1);
      await sub.waitFor(3);
      const [contactEvent, ...folderEvents] = sub.data.map((d) => d.events);
      const [request] = receiver.requests;
      expect(contactEvent).toMatchObject({ id: request!.headers['webhook-id'], type: 'CONTACT_CREATED' });
      // The same JSON, byte for byte once serialised, as the webhook body.
      expect(JSON.stringify(contactEvent!.payload)).toBe(request!.body);
      expect(folderEvents.map((e) => [e.type, e.payload.name])).toEqual([
        ['FOLDER_CREATED', 'Documents'],
        ['FOLDER_CREATED', 'Review'],
      ]);
      // The cursors are those of the log.
      const logged = await logEvents();
      expect(logged.slice(-3)).toEqual(sub.data.map((d) => d.events));
    } finally {
      await t.ok(`mutation { configureWebhooks(input: { contact: { url: null } }) { signingSecret } }`);
      await receiver.stop();
    }
  });

  it('replays the log after a cursor, filtered by type, then goes live without a gap or a duplicate', async () => {
    await contactWithFolder('Replay One');
    const [first] = await logEvents();
    const c = client();
    const all = c.subscribe<{ events: EventNode }>(`subscription($after: String) { events(after: $after) { id type } }`, { after: first!.cursor });
    const folders = c.subscribe<{ events: EventNode }>(`subscription($after: String) { events(types: [FOLDER_CREATED], after: $after) { id type } }`, {
      after: first!.cursor,
    });
    await t.app.broadcaster.fanout.whenAttached(2);
    await contactWithFolder('Replay Two');
    const logged = (await logEvents()).slice(1);
    await all.waitFor(logged.length);
    await folders.waitFor(logged.filter((e) => e.type === 'FOLDER_CREATED').length);
    expect(all.data.map((d) => d.events)).toEqual(logged.map(({ id, type }) => ({ id, type })));
    expect(folders.data.map((d) => d.events)).toEqual(logged.filter((e) => e.type === 'FOLDER_CREATED').map(({ id, type }) => ({ id, type })));
  });

  it('loses neither of two transactions that commit in the reverse order of their positions', async () => {
    const { contactId } = await contactWithFolder('Reverse Order');
    const orm = t.app.database.orm;
    const c = client();
    const live = c.subscribe<{ events: EventNode }>(`subscription { events(types: [CONTACT_UPDATED]) { id payload } }`);
    await t.app.broadcaster.fanout.whenAttached(1);

    let releaseA!: () => void;
    const gateA = new Promise<void>((resolve) => (releaseA = resolve));
    let aStarted!: () => void;
    const aHasTxid = new Promise<void>((resolve) => (aStarted = resolve));
    const event = (name: string) => ({ type: 'contact.updated' as const, entityId: Number(contactId), payload: contactPayload({ ...SAMPLE_CONTACT, id: Number(contactId), name }) });
    // A takes its transaction id first, then waits; B writes and commits in the meantime.
    const a = orm.em.fork().transactional(async (tx) => {
      await tx.execute('select pg_current_xact_id()');
      aStarted();
      await gateA;
      await appendEvent(transactionChanges(tx), event('A'), 1_000_000);
    });
    await aHasTxid;
    await orm.em.fork().transactional((tx) => appendEvent(transactionChanges(tx), event('B'), 1_000_000));

    // B is committed but sorts after A, still open: the log does not show it yet, so no
    // cursor can pass A.
    const before = await logEvents();
    expect(before.map((e) => e.payload.name)).not.toContain('B');
    const resumed = c.subscribe<{ events: EventNode }>(`subscription($after: String) { events(types: [CONTACT_UPDATED], after: $after) { id payload } }`, {
      after: before.at(-1)!.cursor,
    });
    releaseA();
    await a;
    await live.waitFor(2);
    await resumed.waitFor(2);
    expect(live.data.map((d) => d.events.payload.name)).toEqual(['A', 'B']);
    expect(resumed.data).toEqual(live.data);
  });

  it('refuses a malformed cursor or one past the end of the log with BAD_USER_INPUT', async () => {
    const c = client();
    const [last] = (await logEvents()).slice(-1);
    const { txid, seq } = Object.fromEntries(['txid', 'seq'].map((k, i) => [k, Buffer.from(last!.cursor, 'base64url').toString().split(':')[i]!]));
    const cursors = {
      malformed: 'not-a-cursor',
      futureTransaction: encodeCursor({ txid: String(BigInt(txid!) + 1_000_000n), seq: seq! }),
      futureSequence: encodeCursor({ txid: txid!, seq: String(BigInt(seq!) + 1_000_000n) }),
    };
    for (const [name, after] of Object.entries(cursors)) {
      const sub = c.subscribe(`subscription($after: String) { events(after: $after) { id } }`, { after });
      await sub.end();
      expect(sub.results, name).toHaveLength(1);
      expect(sub.results[0]!.errors![0]).toMatchObject({ message: expect.stringContaining(JSON.stringify(after)), extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    }
    // The cursor of the last event is fine: nothing to replay, the stream goes live.
    const ok = c.subscribe(`subscription($after: String) { events(after: $after) { id } }`, { after: last!.cursor });
    await t.app.broadcaster.fanout.whenAttached(1);
    ok.stop();
  });

  it('refuses an unknown event type with BAD_USER_INPUT, in the query text (at validation) as in a variable', async () => {
    const c = client();
    const literal = c.subscribe(`subscription { events(types: [DOCUMENT_SHREDDED]) { id } }`);
    await literal.end();
    expect(literal.error).toEqual([expect.objectContaining({ message: expect.stringContaining('DOCUMENT_SHREDDED'), extensions: { code: 'BAD_USER_INPUT' } })]);
    const variable = c.subscribe(`subscription($types: [EventType!]) { events(types: $types) { id } }`, { types: ['DOCUMENT_SHREDDED'] });
    await variable.end();
    expect(variable.results[0]!.errors![0]).toMatchObject({ message: expect.stringContaining('DOCUMENT_SHREDDED'), extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('typed subscriptions', () => {
  it('documentExported gives the Document and honours folderId, contactId and docType', async () => {
    const acme = await contactWithFolder('Acme Filters');
    const globex = await contactWithFolder('Globex Filters');
    const invoice = await approvedDocument(acme.folderId, 'Invoice');
    const receipt = await approvedDocument(globex.folderId, 'Receipt');
    const c = client();
    const query = `subscription($f: ID, $c: ID, $t: String) { documentExported(folderId: $f, contactId: $c, docType: $t) { id status docType contact { name } folder { id } } }`;
    const everything = c.subscribe<{ documentExported: any }>(query);
    const byFolder = c.subscribe<{ documentExported: any }>(query, { f: acme.folderId });
    const byContact = c.subscribe<{ documentExported: any }>(query, { c: globex.contactId });
    const byType = c.subscribe<{ documentExported: any }>(query, { t: 'Receipt' });
    await t.app.broadcaster.fanout.whenAttached(4);
    await t.ok(`mutation($a: ID!, $b: ID!) { a: exportDocument(id: $a) { id } b: exportDocument(id: $b) { id } }`, { a: invoice, b: receipt });
    await everything.waitFor(2);
    await Promise.all([byFolder.waitFor(1), byContact.waitFor(1), byType.waitFor(1)]);
    expect(everything.data.map((d) => d.documentExported)).toEqual([
      { id: invoice, status: 'EXPORT', docType: 'Invoice', contact: { name: 'Acme Filters' }, folder: { id: acme.folderId } },
      { id: receipt, status: 'EXPORT', docType: 'Receipt', contact: { name: 'Globex Filters' }, folder: { id: globex.folderId } },
    ]);
    expect(byFolder.data.map((d) => d.documentExported.id)).toEqual([invoice]);
    expect(byContact.data.map((d) => d.documentExported.id)).toEqual([receipt]);
    expect(byType.data.map((d) => d.documentExported.id)).toEqual([receipt]);
  });

  it('contactChanged and folderChanged give the Contact and the Folder', async () => {
    const c = client();
    const contacts = c.subscribe<{ contactChanged: any }>(`subscription { contactChanged { id name type } }`);
    const folders = c.subscribe<{ folderChanged: any }>(`subscription { folderChanged { name contact { name } } }`);
    await t.app.broadcaster.fanout.whenAttached(2);
    const { contactId, folderId } = await contactWithFolder('Initech');
    await contacts.waitFor(1);
    await folders.waitFor(2);
    await t.ok(`mutation($id: ID!) { updateContact(id: $id, input: { type: VENDOR }) { id } }`, { id: contactId });
    await contacts.waitFor(2);
    await t.ok(`mutation($id: ID!) { updateFolder(id: $id, input: { name: "Invoices" }) { id } }`, { id: folderId });
    await folders.waitFor(3);
    expect(contacts.data.map((d) => d.contactChanged)).toEqual([
      { id: contactId, name: 'Initech', type: 'CLIENT' },
      { id: contactId, name: 'Initech', type: 'VENDOR' },
    ]);
    expect(folders.data.map((d) => d.folderChanged)).toEqual([
      { name: 'Documents', contact: { name: 'Initech' } },
      { name: 'Review', contact: { name: 'Initech' } },
      { name: 'Invoices', contact: { name: 'Initech' } },
    ]);
  });

  it('refuses a documentExported filter that is not an id with BAD_USER_INPUT', async () => {
    const sub = client().subscribe(`subscription { documentExported(folderId: "folder-1") { id } }`);
    await sub.end();
    expect(sub.results[0]!.errors![0]).toMatchObject({ message: expect.stringContaining('"folder-1"'), extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('webhookDeliveryUpdated streams each attempt of its channel as it happens', async () => {
    const receiver = await new TestReceiver().start();
    receiver.answers = [{ status: 500 }];
    try {
      await t.ok(`mutation($u: String) { configureWebhooks(input: { contact: { url: $u, enabled: true } }) { signingSecret } }`, { u: receiver.url });
      const c = client();
      const query = `subscription($ch: WebhookChannel) { webhookDeliveryUpdated(channel: $ch) { delivery { status attemptCount event { id type } } attempt { ok httpStatus } } }`;
      const contact = c.subscribe<{ webhookDeliveryUpdated: any }>(query, { ch: 'CONTACT' });
      const folder = c.subscribe<{ webhookDeliveryUpdated: any }>(query, { ch: 'FOLDER' });
      await t.app.deliveryFeed.fanout.whenAttached(2);
      await t.ok(`mutation { createContact(input: { name: "Attempted", type: CLIENT }) { id } }`);
      await contact.waitFor(2);
      const webhookId = receiver.requests[0]!.headers['webhook-id'];
      expect(contact.data.map((d) => d.webhookDeliveryUpdated)).toEqual([
        { delivery: { status: 'PENDING', attemptCount: 1, event: { id: webhookId, type: 'CONTACT_CREATED' } }, attempt: { ok: false, httpStatus: 500 } },
        { delivery: { status: 'SUCCEEDED', attemptCount: 2, event: { id: webhookId, type: 'CONTACT_CREATED' } }, attempt: { ok: true, httpStatus: 200 } },
      ]);
      expect(folder.results).toEqual([]);
    } finally {
      await t.ok(`mutation { configureWebhooks(input: { contact: { url: null } }) { signingSecret } }`);
      await receiver.stop();
    }
  });
});

describe('a flood of subscribe messages', () => {
  it(`gets TOO_MANY_SUBSCRIPTIONS past ${MAX_SUBSCRIPTIONS} per socket while everyone else is served`, async () => {
    const flood = 2_000;
    const raw = new WebSocket(`${t.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    await once(raw, 'open');
    const messages: { id?: string; type: string; payload?: any }[] = [];
    let onMessage: () => void = () => undefined;
    raw.on('message', (data) => {
      messages.push(JSON.parse(String(data)));
      onMessage();
    });
    const until = (check: () => boolean) =>
      new Promise<void>((resolve) => {
        onMessage = () => check() && resolve();
        onMessage();
      });
    raw.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${t.token}` } }));
    await until(() => messages.some((m) => m.type === 'connection_ack'));
    for (let i = 0; i < flood; i++) raw.send(JSON.stringify({ id: `f${i}`, type: 'subscribe', payload: { query: 'subscription { contactChanged { name } }' } }));
    const refused = () => messages.filter((m) => m.type === 'error');
    await until(() => refused().length === flood - MAX_SUBSCRIPTIONS);
    expect(refused()[0]!.payload).toEqual([
      expect.objectContaining({ message: expect.stringContaining('WS_MAX_SUBSCRIPTIONS_PER_SOCKET'), extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: MAX_SUBSCRIPTIONS } }),
    ]);

    const other = client().subscribe<{ contactChanged: { name: string } }>(`subscription { contactChanged { name } }`);
    await t.app.broadcaster.fanout.whenAttached(MAX_SUBSCRIPTIONS + 1);
    await t.ok(`mutation { createContact(input: { name: "Still Served", type: CLIENT }) { id } }`);
    await other.waitFor(1);
    expect(other.data).toEqual([{ contactChanged: { name: 'Still Served' } }]);
    // The flooding socket keeps the subscriptions it was allowed, and they stream too.
    await until(() => messages.filter((m) => m.type === 'next').length === MAX_SUBSCRIPTIONS);
    expect(new Set(messages.filter((m) => m.type === 'next').map((m) => m.id))).toEqual(new Set(['f0', 'f1', 'f2', 'f3', 'f4']));
    raw.close();
    await once(raw, 'close');
  });
});
