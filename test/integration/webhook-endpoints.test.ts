import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import WebSocket from 'ws';
import { materialisingLock } from '../../src/endpoints/endpoint-store.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver, type ReceivedRequest } from '../helpers/receiver.js';
import { createContact, renameContact, sql, verifySignature } from '../helpers/webhooks.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_SECRET_OVERLAP: '1h' });
});
afterAll(async () => {
  await t.stop();
});

const ENDPOINT_FIELDS = 'id url subscription variables description enabled createdAt disabledAt disabledReason failingSince consecutiveFailures';

/** An endpoint sending to an endpointUrl() of the receiver, which holds its bodies to the endpoint's bodySchema. */
async function createEndpoint(receiver: TestReceiver, input: Record<string, unknown>) {
  const url = receiver.endpointUrl();
  const { createWebhookEndpoint } = await t.ok(
    `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { signingSecret endpoint { ${ENDPOINT_FIELDS} bodySchema } } }`,
    { input: { url, ...input } },
  );
  const created = createWebhookEndpoint as { signingSecret: string; endpoint: { id: string; bodySchema: Record<string, unknown> } & Record<string, unknown> };
  receiver.expectEndpoint(url, created.endpoint.bodySchema);
  return { ...created, url };
}

/** Waits (with a deadline) until another backend of this database waits for a lock. */
async function lockWaiter(): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await sql(t.databaseUrl, `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`)).length === 0) {
    if (Date.now() > deadline) throw new Error('the deletion never waited for the materialisation');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Everything committed so far turned into deliveries and sent. */
async function settle() {
  await t.app.broadcaster.runOnce();
  await t.app.materializer.runOnce();
  await t.app.worker!.drain();
}

async function endpointDeliveries(endpointId: string) {
  const { webhookDeliveries } = await t.ok(
    `query($f: WebhookDeliveryFilter) { webhookDeliveries(filter: $f, first: 100) { edges { node { id channel status endpoint { id } event { id type } } } } }`,
    { f: { endpointId } },
  );
  return webhookDeliveries.edges.map((e: { node: unknown }) => e.node) as { id: string; channel: string; status: string; endpoint: { id: string }; event: { id: string; type: string } }[];
}

/** A raw graphql-ws subscriber: the `next` frames' payloads as the bytes the server sent. */
async function rawSubscriber(query: string, variables: Record<string, unknown>) {
  const socket = new WebSocket(`${t.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  await once(socket, 'open');
  const payloads: string[] = [];
  let acked!: () => void;
  const ack = new Promise<void>((resolve) => (acked = resolve));
  let gotNext!: () => void;
  const firstNext = new Promise<void>((resolve) => (gotNext = resolve));
  socket.on('message', (data) => {
    const text = String(data);
    const message = JSON.parse(text) as { type: string };
    if (message.type === 'connection_ack') acked();
    if (message.type === 'next') {
      payloads.push(text.slice(text.indexOf('"payload":') + '"payload":'.length, -1));
      gotNext();
    }
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${t.token}` } }));
  await ack;
  socket.send(JSON.stringify({ id: 'endpoint-twin', type: 'subscribe', payload: { query, variables } }));
  return {
    payloads,
    firstNext,
    async close() {
      socket.close();
      await once(socket, 'close');
    },
  };
}

async function contactWithFolders(name: string) {
  const { createContact: c } = await t.ok(`mutation($input: CreateContactInput!) { createContact(input: $input) { id folders { edges { node { id } } } } }`, {
    input: { name, type: 'CLIENT' },
  });
  return { id: c.id as string, folders: c.folders.edges.map((e: { node: { id: string } }) => e.node.id) as string[] };
}

async function exportedDocument(folderId: string, confidenceScore: number, docType = 'invoice') {
  const { createDocument } = await t.ok(`mutation($input: CreateDocumentInput!) { createDocument(input: $input) { id } }`, { input: { folderId, filename: 'invoice.pdf' } });
  const id = createDocument.id as string;
  await t.ok(`mutation($id: ID!, $input: ExtractionInput!) { recordExtraction(id: $id, input: $input) { id } }`, { id, input: { confidenceScore, docType } });
  await t.ok(`mutation($id: ID!) { a: setDocumentStatus(id: $id, status: READY) { id } b: setDocumentStatus(id: $id, status: APPROVED) { id } }`, { id });
  await t.ok(`mutation($id: ID!) { exportDocument(id: $id) { id } }`, { id });
  return id;
}

describe('documents an endpoint cannot run', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a field the type does not have', { subscription: 'subscription { contactChanged { nam } }' }, 'Cannot query field "nam" on type "Contact". Did you mean "name"? (line 1, column 33)'],
    ['a syntax error', { subscription: 'subscription { contactChanged { id }' }, 'Syntax Error: Expected Name, found <EOF>. (line 1, column 37)'],
    ['a query', { subscription: 'query { contacts { edges { node { id } } } }' }, 'its operation is a query; an endpoint runs a subscription (line 1, column 1)'],
    ['a webhook about webhooks', { subscription: 'subscription { webhookDeliveryUpdated { attempt { ok } } }' }, 'webhookDeliveryUpdated cannot be an endpoint\'s subscription: a webhook about webhook deliveries would feed itself (line 1, column 16)'],
    ['two operations', { subscription: 'subscription A { contactChanged { id } } subscription B { folderChanged { id } }' }, 'it holds 2 operations; an endpoint runs exactly one'],
    ['a cursor of its own', { subscription: 'subscription { events(after: "MTox") { id } }' }, "events(after:) is the endpoint's own cursor: give it as the input's after"],
    ['a filter out of range', { subscription: 'subscription { documentExported(minConfidence: 101) { id } }' }, 'minConfidence 101 is not a confidence score (an integer from 0 to 100) (line 1, column 16)'],
  ];
  it.each(cases)('refuses %s with BAD_USER_INPUT naming the GraphQL error and where it is, and saves nothing', async (_, input, message) => {
    const res = await t.gql(`mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { signingSecret } }`, {
      input: { url: 'https://receiver.example/hooks', ...input },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain(message);
    expect(res.errors?.[0]?.extensions?.field).toBe('subscription');
    const { webhookEndpoints } = await t.ok(`{ webhookEndpoints { edges { node { id } } } }`);
    expect(webhookEndpoints.edges).toEqual([]);
  });

  it('refuses variables that do not fit, a URL the channels would refuse, and an unknown endpoint', async () => {
    const variables = await t.gql(`mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { signingSecret } }`, {
      input: { url: 'https://receiver.example/hooks', subscription: 'subscription($f: ID!) { folderChanged(folderId: $f) { id } }', variables: {} },
    });
    expect(variables.errors?.[0]).toMatchObject({ message: expect.stringContaining('Variable "$f" of required type "ID!" was not provided'), extensions: { code: 'BAD_USER_INPUT', field: 'variables' } });
    const url = await t.gql(`mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { signingSecret } }`, {
      input: { url: 'ftp://receiver.example/hooks', subscription: 'subscription { folderChanged { id } }' },
    });
    expect(url.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'url', value: 'ftp://receiver.example/hooks' } });
    const noUrl = await t.gql(`mutation { createWebhookEndpoint(input: { subscription: "subscription { folderChanged { id } }" }) { signingSecret } }`);
    expect(noUrl.errors?.[0]).toMatchObject({ message: 'url is required', extensions: { code: 'BAD_USER_INPUT', field: 'url' } });
    const missing = await t.gql(`mutation { deleteWebhookEndpoint(id: "424242") }`);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await t.ok(`{ webhookEndpoint(id: "424242") { id } }`)).webhookEndpoint).toBeNull();
  });
});

describe('an endpoint', () => {
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await new TestReceiver().start();
  });
  afterAll(async () => {
    await receiver.stop();
  });

  it('gets what a graphql-ws subscriber with its document receives, byte for byte, for the events its filters choose, signed with its own secret', async () => {
    const a = await contactWithFolders('Endpoint Filters A');
    const b = await contactWithFolders('Endpoint Filters B');
    const query = `subscription($folder: ID) { documentExported(folderId: $folder, minConfidence: 80, docType: "invoice") { id status confidenceScore folder { id } contact { name } } }`;
    const variables = { folder: a.folders[0] };
    const twin = await rawSubscriber(query, variables);
    await t.app.broadcaster.fanout.whenAttached(1);
    const { endpoint, signingSecret, url } = await createEndpoint(receiver, { subscription: query, variables, description: 'ERP: exported invoices of folder A' });
    expect(signingSecret).toMatch(/^whsec_/);
    expect(endpoint).toMatchObject({ url, subscription: query, variables, description: 'ERP: exported invoices of folder A', enabled: true, consecutiveFailures: 0 });

    const chosen = await exportedDocument(a.folders[0]!, 91);
    await exportedDocument(a.folders[0]!, 50); // below the minimum confidence
    await exportedDocument(a.folders[0]!, 95, 'receipt'); // another type
    await exportedDocument(b.folders[0]!, 91); // another folder
    await settle();
    await receiver.waitFor(1);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests as [ReceivedRequest];
    expect(request.json).toEqual({ data: { documentExported: { id: chosen, status: 'EXPORT', confidenceScore: 91, folder: { id: a.folders[0] }, contact: { name: 'Endpoint Filters A' } } } });
    await twin.firstNext;
    expect(twin.payloads).toHaveLength(1);
    expect(request.body).toBe(twin.payloads[0]);
    await twin.close();

    expect(() => verifySignature(signingSecret, request)).not.toThrow();
    const { webhookSettings } = await t.ok(`{ webhookSettings { signingSecret } }`);
    expect(() => verifySignature(webhookSettings.signingSecret, request)).toThrow();
    const [delivery] = await endpointDeliveries(endpoint.id);
    expect(delivery).toMatchObject({ channel: 'DOCUMENT', status: 'SUCCEEDED', endpoint: { id: endpoint.id }, event: { type: 'DOCUMENT_EXPORTED' } });
    expect(request.headers['webhook-id']).toBe(delivery!.event.id);
    expect(request.headers['content-type']).toBe('application/json');
    // The document channel is not set up: nothing of this reached it.
    expect(await sql(t.databaseUrl, `select 1 from webhook_deliveries where channel = 'DOCUMENT'`)).toEqual([]);
    await t.ok(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id });
    receiver.requests.length = 0;
  });

  it("keeps the order of one record's events, whatever the receiver answered first", async () => {
    const contact = await createContact(t, 'Ordered 0');
    const { endpoint } = await createEndpoint(receiver, { subscription: 'subscription($c: ID) { contactChanged(contactId: $c) { name } }', variables: { c: contact } });
    // The first attempt fails: the later changes of the contact wait for its retry.
    receiver.answers = [{ status: 503, headers: { 'retry-after': '0' } }];
    for (let i = 1; i <= 5; i++) await renameContact(t, contact, `Ordered ${i}`);
    await settle();
    await receiver.waitFor(6, 30_000);
    // In the log's order (the bodies all show the contact as it is by now: its fields are read when the events are materialised).
    const updates = await sql<{ id: string }>(t.databaseUrl, `select id from events where type = 'contact.updated' and entity_id = $1 order by txid, seq`, [contact]);
    const [first, ...rest] = updates.map((u) => u.id);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([first, first, ...rest]);
    await t.ok(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id });
    receiver.requests.length = 0;
  });

  it('starts from a cursor (backfill), in the log order, with the events its types choose', async () => {
    const first = await createContact(t, 'Backfill One');
    const { events } = await t.ok(`{ events(types: [CONTACT_CREATED], first: 500) { edges { node { cursor payload } } } }`);
    const cursor = events.edges.find((e: { node: { payload: { id: number } } }) => String(e.node.payload.id) === first).node.cursor as string;
    const second = await createContact(t, 'Backfill Two');
    const third = await createContact(t, 'Backfill Three');
    const { endpoint } = await createEndpoint(receiver, { subscription: 'subscription { events(types: [CONTACT_CREATED]) { type payload } }', after: cursor });
    await settle();
    await receiver.waitFor(2);
    expect(receiver.requests.map((r) => r.json)).toEqual(
      [second, third].map((id, i) => ({ data: { events: { type: 'CONTACT_CREATED', payload: expect.objectContaining({ id: Number(id), name: ['Backfill Two', 'Backfill Three'][i] }) } } })),
    );
    // Materialised once: another pass finds nothing new.
    await settle();
    expect(await endpointDeliveries(endpoint.id)).toHaveLength(2);
    await t.ok(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id });
    receiver.requests.length = 0;
  });

  it('rotates its secret with an overlap, is switched off and on, and drops what waits for it when deleted', async () => {
    const { endpoint, signingSecret: old } = await createEndpoint(receiver, { subscription: 'subscription { contactChanged { name } }' });
    const { rotateWebhookEndpointSecret } = await t.ok(`mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id) { signingSecret endpoint { id } } }`, { id: endpoint.id });
    expect(rotateWebhookEndpointSecret.signingSecret).not.toBe(old);
    await createContact(t, 'Rotated Ltd');
    await settle();
    await receiver.waitFor(1);
    expect(() => verifySignature(rotateWebhookEndpointSecret.signingSecret, receiver.requests[0]!)).not.toThrow();
    expect(() => verifySignature(old, receiver.requests[0]!)).not.toThrow();

    const { updateWebhookEndpoint: off } = await t.ok(`mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false }) { enabled subscription } }`, { id: endpoint.id });
    expect(off).toEqual({ enabled: false, subscription: 'subscription { contactChanged { name } }' });
    const [disabled] = await sql<{ payload: Record<string, unknown> }>(
      t.databaseUrl,
      `select payload from events where type = 'channel.disabled' and payload->>'channel' = $1`,
      [`endpoint:${endpoint.id}`],
    );
    expect(disabled!.payload).toMatchObject({ reason: 'switched off by hand (updateWebhookEndpoint)', failed_deliveries: 0 });
    await createContact(t, 'While Off Ltd');
    await settle();
    await t.ok(`mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: true }) { enabled } }`, { id: endpoint.id });
    await createContact(t, 'Back On Ltd');
    await settle();
    await receiver.waitFor(2);
    expect(receiver.requests.map((r) => r.json.data.contactChanged.name)).toEqual(['Rotated Ltd', 'Back On Ltd']);

    await t.ok(`mutation { configureWebhooks(input: { offlineMode: true }) { offlineMode } }`);
    await createContact(t, 'Never Sent Ltd');
    await settle();
    expect((await endpointDeliveries(endpoint.id)).filter((d) => d.status === 'PENDING')).toHaveLength(1);
    expect((await t.ok(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id })).deleteWebhookEndpoint).toBe(true);
    await t.ok(`mutation { configureWebhooks(input: { offlineMode: false }) { offlineMode } }`);
    expect(await sql(t.databaseUrl, `select 1 from webhook_deliveries where channel = $1`, [`endpoint:${endpoint.id}`])).toEqual([]);
    expect((await t.ok(`query($id: ID!) { webhookEndpoint(id: $id) { id } }`, { id: endpoint.id })).webhookEndpoint).toBeNull();
    receiver.requests.length = 0;
  });

  it('materialises again from a cursor set by update, with its new document', async () => {
    const a = await createContact(t, 'Rewound A');
    const b = await createContact(t, 'Rewound B');
    const { events } = await t.ok(`{ events(types: [CONTACT_CREATED], first: 500) { edges { node { cursor payload } } } }`);
    const beforeA = events.edges[events.edges.findIndex((e: { node: { payload: { id: number } } }) => String(e.node.payload.id) === a) - 1].node.cursor as string;
    const { endpoint } = await createEndpoint(receiver, { subscription: 'subscription($c: ID) { contactChanged(contactId: $c) { name } }', variables: { c: a }, after: beforeA });
    await settle();
    await receiver.waitFor(1);
    expect(receiver.requests.map((r) => r.json.data.contactChanged.name)).toEqual(['Rewound A']);
    // Now B, from the same cursor: B's creation is materialised; A's, chosen before, is not queued twice.
    await t.ok(`mutation($id: ID!, $input: WebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $input) { id } }`, { id: endpoint.id, input: { variables: { c: b }, after: beforeA } });
    await settle();
    await receiver.waitFor(2);
    expect(receiver.requests.map((r) => r.json.data.contactChanged.name)).toEqual(['Rewound A', 'Rewound B']);
    expect(await endpointDeliveries(endpoint.id)).toHaveLength(2);
    await t.ok(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id });
    receiver.requests.length = 0;
  });

  it('replays its deliveries from a cursor, with the same webhook-ids and bodies', async () => {
    const { events } = await t.ok(`{ events(first: 1) { edges { node { cursor } } } }`);
    const { endpoint } = await createEndpoint(receiver, { subscription: 'subscription { events(types: [CONTACT_CREATED]) { id } }' });
    const head = await t.ok(`{ events(types: [CONTACT_CREATED], first: 500) { edges { node { cursor } } } }`);
    const before = head.events.edges.at(-1)?.node.cursor ?? events.edges[0].node.cursor;
    await createContact(t, 'Replayed One');
    await createContact(t, 'Replayed Two');
    await settle();
    await receiver.waitFor(2);
    const both = await t.gql(`mutation { replayWebhooks(input: { channel: CONTACT, endpointId: "1", since: "2020-01-01T00:00:00Z" }) { count } }`);
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const { replayWebhooks: dry } = await t.ok(`mutation($input: ReplayInput!) { replayWebhooks(input: $input) { count queued } }`, { input: { endpointId: endpoint.id, afterCursor: before, dryRun: true } });
    expect(dry).toEqual({ count: 2, queued: false });
    const { replayWebhooks } = await t.ok(`mutation($input: ReplayInput!) { replayWebhooks(input: $input) { count queued } }`, { input: { endpointId: endpoint.id, afterCursor: before } });
    expect(replayWebhooks).toEqual({ count: 2, queued: true });
    await settle();
    await receiver.waitFor(4);
    const [first, second, ...again] = receiver.requests;
    expect(again.map((r) => [r.headers['webhook-id'], r.body]).sort()).toEqual([first!, second!].map((r) => [r.headers['webhook-id'], r.body]).sort());
    const delivered = await endpointDeliveries(endpoint.id);
    expect(delivered).toHaveLength(2);
    // One delivery again, by hand.
    const { redeliverWebhook } = await t.ok(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id status endpoint { id } } }`, { id: delivered[0]!.id });
    // Queued again (the worker, woken, may have sent it already).
    expect(redeliverWebhook).toMatchObject({ id: delivered[0]!.id, endpoint: { id: endpoint.id } });
    expect(['PENDING', 'SUCCEEDED']).toContain(redeliverWebhook.status);
    await settle();
    await receiver.waitFor(5);
    expect(receiver.requests[4]!.headers['webhook-id']).toBe(delivered[0]!.event.id);
    await t.ok(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id });
    receiver.requests.length = 0;
  });

  it('is tested with the newest event its document chooses, signed as its deliveries are', async () => {
    const { endpoint, signingSecret } = await createEndpoint(receiver, { subscription: 'subscription($c: ID) { contactChanged(contactId: $c) { name } }', variables: { c: '999999' } });
    const none = await t.gql(`mutation($id: ID!) { testWebhookEndpoint(id: $id) { ok } }`, { id: endpoint.id });
    expect(none.errors?.[0]).toMatchObject({ message: expect.stringContaining('No event among the newest 1000'), extensions: { code: 'BAD_USER_INPUT', field: 'id' } });
    const contact = await createContact(t, 'Tested Ltd');
    await t.ok(`mutation($id: ID!, $input: WebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $input) { id } }`, { id: endpoint.id, input: { variables: { c: contact } } });
    const { testWebhookEndpoint } = await t.ok(`mutation($id: ID!) { testWebhookEndpoint(id: $id) { id ok httpStatus request { body headers { name value } } } }`, { id: endpoint.id });
    expect(testWebhookEndpoint).toMatchObject({ id: null, ok: true, httpStatus: 200, request: { body: '{"data":{"contactChanged":{"name":"Tested Ltd"}}}' } });
    await receiver.waitFor(1);
    expect(receiver.requests[0]!.body).toBe('{"data":{"contactChanged":{"name":"Tested Ltd"}}}');
    expect(String(receiver.requests[0]!.headers['webhook-id'])).toMatch(/^msg_test_/);
    expect(() => verifySignature(signingSecret, receiver.requests[0]!)).not.toThrow();
    // Outside the delivery log.
    expect(await endpointDeliveries(endpoint.id)).toEqual([]);
    await t.ok(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id });
    receiver.requests.length = 0;
  });

  it('holds an endpoint whose stored document the schema no longer accepts where it is, and no other with it', async () => {
    const { endpoint: broken } = await createEndpoint(receiver, { subscription: 'subscription { contactChanged { name } }' });
    const { endpoint: healthy } = await createEndpoint(receiver, { subscription: 'subscription { contactChanged { name } }' });
    // As after an upgrade that renamed a field.
    await sql(t.databaseUrl, `update webhook_endpoints set subscription = 'subscription { contactChanged { fullName } }' where id = $1`, [broken.id]);
    const [before] = await sql(t.databaseUrl, `select position_txid::text, position_seq::text from webhook_endpoints where id = $1`, [broken.id]);
    await createContact(t, 'Healthy Only Ltd');
    await settle();
    await receiver.waitFor(1);
    expect(receiver.requests.map((r) => r.json)).toEqual([{ data: { contactChanged: { name: 'Healthy Only Ltd' } } }]);
    expect(await endpointDeliveries(healthy.id)).toHaveLength(1);
    expect(await endpointDeliveries(broken.id)).toEqual([]);
    expect(await sql(t.databaseUrl, `select position_txid::text, position_seq::text from webhook_endpoints where id = $1`, [broken.id])).toEqual([before]);
    for (const id of [broken.id, healthy.id]) await t.ok(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id });
    receiver.requests.length = 0;
  });

  it('deleted while it is being materialised, leaves nothing pending behind', async () => {
    const { endpoint } = await createEndpoint(receiver, { subscription: 'subscription { contactChanged { name } }' });
    const contact = await createContact(t, 'Deleted Midway Ltd');
    await settle();
    await receiver.waitFor(1);
    const [event] = await sql<{ seq: string }>(t.databaseUrl, `select seq::text from events where type = 'contact.created' and entity_id = $1`, [contact]);
    // As a materialisation under way: its lock held, a delivery queued and not committed yet.
    const materialising = new pg.Client({ connectionString: t.databaseUrl });
    await materialising.connect();
    try {
      await materialising.query('begin');
      await materialising.query(`select ${materialisingLock('pg_advisory_xact_lock', '$1::bigint')}`, [endpoint.id]);
      await materialising.query(`delete from webhook_deliveries where channel = $1`, [`endpoint:${endpoint.id}`]);
      await materialising.query(`insert into webhook_deliveries (event_seq, channel, entity_id, body) values ($1, $2, $3, '{}')`, [event!.seq, `endpoint:${endpoint.id}`, contact]);
      const deleting = t.ok(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id });
      await lockWaiter();
      await materialising.query('commit');
      expect((await deleting).deleteWebhookEndpoint).toBe(true);
    } finally {
      await materialising.end();
    }
    expect(await sql(t.databaseUrl, `select 1 from webhook_deliveries where channel = $1`, [`endpoint:${endpoint.id}`])).toEqual([]);
    receiver.requests.length = 0;
  });

  it('is switched off by a 410, as a channel is, and told as channel.disabled', async () => {
    const gone = await new TestReceiver().start();
    gone.fallback = { status: 410, body: 'gone' };
    try {
      const { endpoint, url } = await createEndpoint(gone, { subscription: 'subscription { folderChanged(folderId: null) { name } }' });
      await createContact(t, 'Gone Receiver Ltd');
      await settle();
      await gone.waitFor(1);
      const { webhookEndpoint } = await t.ok(`query($id: ID!) { webhookEndpoint(id: $id) { enabled disabledAt disabledReason } }`, { id: endpoint.id });
      expect(webhookEndpoint).toMatchObject({ enabled: false, disabledAt: expect.any(String), disabledReason: expect.stringContaining('410') });
      const told = await sql<{ type: string; payload: Record<string, unknown> }>(
        t.databaseUrl,
        `select type, payload from events where channel = 'OPERATIONS' and payload->>'channel' = $1`,
        [`endpoint:${endpoint.id}`],
      );
      expect(told).toEqual([
        {
          type: 'channel.disabled',
          payload: expect.objectContaining({ channel: `endpoint:${endpoint.id}`, url, reason: expect.stringContaining('410'), failed_deliveries: 1 }),
        },
      ]);
      await t.ok(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id });
    } finally {
      await gone.stop();
    }
  });
});

describe('two instances', () => {
  it('materialise each (endpoint, event) once', async () => {
    const receiver = await new TestReceiver().start();
    const other = await startTestApp({}, t.databaseUrl);
    try {
      const { endpoint } = await createEndpoint(receiver, { subscription: 'subscription { events(types: [CONTACT_CREATED]) { id } }' });
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push(await createContact(i % 2 ? other : t, `Two Instances ${i}`));
      await Promise.all([settle(), other.app.materializer.runOnce()]);
      await Promise.all([t.app.worker!.drain(), other.app.worker!.drain()]);
      await receiver.waitFor(20);
      const perEvent = await sql<{ n: string }>(t.databaseUrl, `select count(*)::text as n from webhook_deliveries where channel = $1 group by event_seq`, [`endpoint:${endpoint.id}`]);
      expect(perEvent).toHaveLength(20);
      expect(perEvent.every((r) => r.n === '1')).toBe(true);
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(receiver.requests.length);
      await t.ok(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id });
    } finally {
      await other.stop();
      await receiver.stop();
    }
  });
});
