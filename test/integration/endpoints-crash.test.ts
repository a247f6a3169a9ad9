import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MATERIALISING_LOCK_SPACE } from '../../src/endpoints/endpoint-store.js';
import { createTestDatabase } from '../helpers/db.js';
import { TestReceiver } from '../helpers/receiver.js';
import { serviceGql, startServiceProcess } from '../helpers/service-process.js';
import { sql } from '../helpers/webhooks.js';

const CONTACTS = 10;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let receiver: TestReceiver;
const children = new Set<ChildProcess>();
const clients: pg.Client[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await new TestReceiver().start();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const c of clients) await c.end().catch(() => undefined);
  await receiver.stop();
  await db.drop();
});

const start = () => startServiceProcess({ DATABASE_URL: db.url, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_INTERVAL: '200ms' }, children);

/** A connection of the test's own with a transaction open, to hold what the service is to wait for. */
async function holder(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: db.url });
  clients.push(c);
  await c.connect();
  await c.query('begin');
  return c;
}

/** Waits (with a deadline) until a backend of the service waits for a lock. */
async function serviceWaitsForLock(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await sql(db.url, `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and application_name = 'recordengine-endpoints'`)).length === 0) {
    if (Date.now() > deadline) throw new Error('the materialiser never waited for the held delivery');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('turns every event into one delivery per endpoint when the service is killed in the middle of materialising them', { timeout: 120_000 }, async () => {
  const first = await start();
  const url = receiver.endpointUrl();
  const { createWebhookEndpoint } = await serviceGql(
    first,
    `mutation($url: String!) { createWebhookEndpoint(input: { url: $url, subscription: "subscription { events(types: [CONTACT_CREATED]) { id } }" }) { endpoint { id bodySchema } } }`,
    { url },
  );
  receiver.expectEndpoint(url, createWebhookEndpoint.endpoint.bodySchema);
  const target = `endpoint:${createWebhookEndpoint.endpoint.id}`;

  // The endpoint held, as another instance materialising it would: the service's materialiser passes it by while the events commit.
  const endpointHeld = await holder();
  await endpointHeld.query('select pg_advisory_xact_lock($1, $2)', [MATERIALISING_LOCK_SPACE, Number(createWebhookEndpoint.endpoint.id)]);
  for (let i = 0; i < CONTACTS; i++) await serviceGql(first, `mutation($n: String!) { createContact(input: { name: $n, type: CLIENT }) { id } }`, { n: `Crash ${i}` });
  const events = await sql<{ seq: string; entity_id: string }>(db.url, `select seq::text, entity_id::text from events where type = 'contact.created' order by seq`);
  expect(events).toHaveLength(CONTACTS);

  // A delivery for the sixth event, uncommitted: the materialiser's insert of it waits for this transaction.
  const deliveryHeld = await holder();
  await deliveryHeld.query(`insert into webhook_deliveries (event_seq, channel, entity_id, body) values ($1, $2, $3, '{}')`, [events[5]!.seq, target, events[5]!.entity_id]);
  await endpointHeld.query('rollback');
  await serviceWaitsForLock();
  // Killed with its materialising transaction open, having queued the events before the sixth.
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');
  await deliveryHeld.query('rollback');
  expect(receiver.requests).toHaveLength(0);

  const second = await start();
  try {
    await receiver.waitFor(CONTACTS, 60_000);
    const perEvent = await sql<{ n: number }>(db.url, `select count(*)::int as n from webhook_deliveries where channel = $1 group by event_seq`, [target]);
    expect(perEvent).toEqual(Array.from({ length: CONTACTS }, () => ({ n: 1 })));
    const { events: logged } = await serviceGql(second, `{ events(types: [CONTACT_CREATED], first: 100) { edges { node { id } } } }`);
    // Each once (the contacts are different entities: their webhooks may cross on the way).
    expect(receiver.requests.map((r) => String(r.headers['webhook-id'])).sort()).toEqual(logged.edges.map((e: { node: { id: string } }) => e.node.id).sort());
  } finally {
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
  }
});
