import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsList } from '../../src/db/migrations/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';
import { TestReceiver, type ReceivedRequest } from '../helpers/receiver.js';
import { sql } from '../helpers/webhooks.js';

/**
 * A database as release 0.1.0 wrote it (test/fixtures/release-0.1.0.sql, made by
 * scripts/release-snapshot.ts from that release's own code): its receiver was down, so every
 * channel and its one endpoint have deliveries waiting, some with a refused attempt behind them.
 * Today's code opens it as an upgrade in place does.
 */
const FIXTURE = 'test/fixtures/release-0.1.0.sql';
const RELEASE_TOKEN = `re_${'5'.repeat(40)}`;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let receiver: TestReceiver;
let t: TestApp;
let releaseEvents: { id: string; type: string; entity_id: string }[];

/** An endpoint's body is a GraphQL result; a channel's is the event's payload. */
const isEndpoint = (r: ReceivedRequest) => r.body.startsWith('{"data"');

/**
 * Events are ordered by the id of the transaction that wrote them (xid8). An upgrade in place
 * keeps the server's counter; a database restored into a younger server would not, so the
 * counter is first moved past the release's transactions, as it stood on that server.
 */
async function advanceTransactionIds(url: string, past: bigint): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    while (BigInt((await client.query<{ x: string }>('select pg_current_xact_id()::text as x')).rows[0]!.x) <= past);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  db = await createTestDatabase('empty');
  const dump = readFileSync(FIXTURE, 'utf8');
  const highest = [...dump.matchAll(/^INSERT INTO public\.events VALUES \(\d+, '[^']+', '(\d+)'/gm)].map((m) => BigInt(m[1]!));
  await advanceTransactionIds(db.url, highest.reduce((a, b) => (a > b ? a : b)));
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(dump);
  await client.end();

  receiver = await new TestReceiver().start();
  // The receivers came back at a new address; nothing else of the release's rows is touched.
  const endpointUrl = receiver.endpointUrl();
  await sql(db.url, `update webhook_channels set url = $1 where channel <> 'OPERATIONS' and endpoint_id is null`, [`${receiver.url}/hooks`]);
  await sql(db.url, `update webhook_channels set url = $1 where endpoint_id is not null`, [endpointUrl]);
  releaseEvents = await sql(db.url, `select id, type, entity_id::text as entity_id from events order by seq`);
  t = await startTestApp({}, db.url);
  // The release's endpoint publishes the schema of its bodies as any endpoint does.
  const { webhookEndpoints } = await t.ok(`{ webhookEndpoints { edges { node { bodySchema } } } }`);
  expect(webhookEndpoints.edges).toHaveLength(1);
  receiver.expectEndpoint(endpointUrl, webhookEndpoints.edges[0].node.bodySchema);
});

afterAll(async () => {
  await t?.stop();
  await receiver?.stop();
  await db?.drop();
});

describe('a database written by release 0.1.0', () => {
  it('has every migration applied and reports ready', async () => {
    const applied = await sql<{ name: string }>(db.url, 'select name from mikro_orm_migrations');
    expect(applied.map((m) => m.name)).toEqual(expect.arrayContaining(migrationsList.map((m) => m.name)));
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });

  it('accepts the token the release issued, and reads its rows through the API', async () => {
    const res = await t.gql(
      `{ contacts(first: 1) { edges { node { name email phone notes folders(first: 5) { edges { node { name documents(first: 1) { edges { node { status extractedFields lineItems { amount } } } } } } } } } }
         webhookEndpoints(first: 5) { edges { node { subscription description enabled } } }
         events(first: 50) { edges { node { id type } } } }`,
      {},
      RELEASE_TOKEN,
    );
    expect(res.errors).toBeUndefined();
    const contact = res.data!.contacts.edges[0].node;
    expect(contact).toMatchObject({ name: 'Acme Corporation', email: 'ap@acme.example', phone: '+1 555 0100', notes: 'after the endpoint' });
    const invoices = contact.folders.edges.find((e: { node: { name: string } }) => e.node.name === 'Invoices 2026').node;
    expect(invoices.documents.edges[0].node).toMatchObject({
      status: 'EXPORT',
      extractedFields: { invoice_number: 'INV-1', total_amount: '120.50' },
      lineItems: [{ amount: 120.5 }],
    });
    expect(res.data!.webhookEndpoints.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { subscription: 'subscription { contactChanged { id name phone } }', description: 'contacts', enabled: true },
    ]);
    expect(res.data!.events.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(releaseEvents.map((e) => e.id));
  });

  it('sends every delivery that was waiting, in order per record, and the endpoint only what followed its creation', async () => {
    const waiting = await sql<{ n: number }>(db.url, `select count(*)::int as n from webhook_deliveries where status = 'PENDING'`);
    await receiver.waitFor(waiting[0]!.n);
    const sent = receiver.requests.filter((r) => !isEndpoint(r)).map((r) => r.headers['webhook-id']);
    expect([...sent].sort()).toEqual(releaseEvents.map((e) => e.id).sort());
    const contactEvents = releaseEvents.filter((e) => e.type.startsWith('contact.')).map((e) => e.id);
    expect(sent.filter((id) => contactEvents.includes(String(id)))).toEqual(contactEvents);
    const endpointBodies = receiver.requests.filter(isEndpoint).map((r) => r.json);
    expect(endpointBodies).toEqual([{ data: { contactChanged: { id: '1', name: 'Acme Corporation', phone: '+1 555 0100' } } }]);
    const left = await sql<{ n: number }>(db.url, `select count(*)::int as n from webhook_deliveries where status <> 'SUCCEEDED'`);
    expect(left[0]!.n).toBe(0);
  });

  it('keeps the endpoint’s cursor: a new change reaches it once, after the release’s events', async () => {
    const before = receiver.requests.length;
    await t.ok(`mutation { updateContact(id: "1", input: { phone: "+1 555 0199" }) { id } }`);
    await receiver.waitUntil((requests) => requests.slice(before).filter(isEndpoint).length === 1 && requests.length - before === 2);
    const latest = receiver.requests.slice(before);
    expect(latest.filter(isEndpoint).map((r) => r.json)).toEqual([{ data: { contactChanged: { id: '1', name: 'Acme Corporation', phone: '+1 555 0199' } } }]);
    expect(latest.filter((r) => !isEndpoint(r)).map((r) => r.headers['x-recordengine-event'])).toEqual(['contact.updated']);
    const events = await t.ok<{ events: { edges: { node: { id: string } }[] } }>(`{ events(first: 50) { edges { node { id } } } }`);
    expect(events.events.edges.slice(0, releaseEvents.length).map((e) => e.node.id)).toEqual(releaseEvents.map((e) => e.id));
  });
});
