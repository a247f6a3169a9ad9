import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryWorker } from '../../src/webhooks/worker.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { ownWorker, type OwnWorker } from '../helpers/own-worker.js';
import { TestReceiver, type ReceivedRequest } from '../helpers/receiver.js';
import { createContact, pointChannel, renameContact, sql } from '../helpers/webhooks.js';

/**
 * A success's record claims the next delivery of the same entity, and the worker sends it at
 * once. The worker here is in manual mode: nothing claims but the test's runOnce() and
 * drain(), so every delivery sent after the one runOnce() claimed was chained. Its pool counts
 * the statements it runs.
 */
let api: TestApp;
let receiver: TestReceiver;
let own: OwnWorker;
let worker: DeliveryWorker;
const statements = new Map<string, number>();
const count = (name: string) => statements.get(name) ?? 0;

beforeAll(async () => {
  // The API alone: the worker that delivers is the test's.
  api = await startTestApp({ WEBHOOK_WORKER: 'false' });
  receiver = await new TestReceiver().start();
  await pointChannel(api, 'contact', receiver.url);
  own = ownWorker(api, {
    // A failed attempt is retried after a minute: only the test makes it due sooner.
    worker: { concurrency: 4, circuitFailures: 5, pollIntervalMs: 100, leaseMs: 30_000, retrySchedule: [60_000], disableAfterMs: 86_400_000 },
    onStatement: (name) => statements.set(name, count(name) + 1),
  });
  worker = own.worker;
  await worker.manual();
});
afterAll(async () => {
  await own?.stop();
  await receiver?.stop();
  await api?.stop();
});
beforeEach(async () => {
  await worker.drain();
  receiver.script = undefined;
  receiver.requests.length = 0;
});

/** A contact and `renames` changes of it: 1 + renames deliveries of one entity, queued and none claimed (the worker is manual). */
async function busyContact(name: string, renames: number): Promise<string> {
  const id = await createContact(api, name);
  for (let i = 1; i <= renames; i++) await renameContact(api, id, `${name} ${i}`);
  return id;
}

/** The webhook-ids of the contact's deliveries in the order they were queued: the order they must arrive in. */
async function queuedOrder(contactId: string): Promise<string[]> {
  const rows = await sql<{ event_id: string }>(
    api.databaseUrl,
    `select e.id as event_id from webhook_deliveries d join events e on e.seq = d.event_seq
     where d.channel = 'CONTACT' and d.entity_id = $1 order by d.id`,
    [contactId],
  );
  return rows.map((r) => r.event_id);
}

const ids = (requests: readonly ReceivedRequest[]) => requests.map((r) => String(r.headers['webhook-id']));

async function deliveryStates(contactId: string) {
  return sql<{ status: string; attempt_count: number; leased_by: string | null }>(
    api.databaseUrl,
    `select status, attempt_count, leased_by from webhook_deliveries where channel = 'CONTACT' and entity_id = $1 order by id`,
    [contactId],
  );
}

describe('chaining the deliveries of one entity', () => {
  it('sends the next delivery of an entity as soon as the previous one got its 200, in order, one at a time, with one claim for all', async () => {
    const contactId = await busyContact('Hot Chain', 9);
    // Answers come 5 ms after each request; a request arriving while another is unanswered would be two in flight.
    let open = 0;
    let mostOpen = 0;
    receiver.script = () => {
      mostOpen = Math.max(mostOpen, ++open);
      return {
        status: 200,
        delayMs: 5,
        act: (res) => {
          open--;
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
        },
      };
    };
    const claimsBefore = count('claim-deliveries');
    const recordsBefore = count('record-successes');

    // Only the head of the contact's queue can be claimed; the success of each chains the next.
    expect(await worker.runOnce()).toBe(1);
    await receiver.waitFor(10);
    expect(count('claim-deliveries') - claimsBefore).toBe(1);
    await worker.drain();

    expect(ids(receiver.requests)).toEqual(await queuedOrder(contactId));
    expect(mostOpen).toBe(1);
    expect(count('record-successes') - recordsBefore).toBe(10);
    expect(await deliveryStates(contactId)).toEqual(Array.from({ length: 10 }, () => ({ status: 'SUCCEEDED', attempt_count: 1, leased_by: null })));
  });

  it('stops at a chained delivery that fails: the later ones wait until it succeeds, then follow in order', async () => {
    const contactId = await busyContact('Failing Chain', 5);
    const order = await queuedOrder(contactId);
    // The third request fails.
    receiver.script = (_request, requests) => (requests.length === 3 ? { status: 500, body: 'down' } : undefined);

    expect(await worker.runOnce()).toBe(1);
    // Drained: the first two chained, the third failed and waits a minute for its retry, and nothing else is due.
    await worker.drain();
    expect(ids(receiver.requests)).toEqual(order.slice(0, 3));
    expect(await deliveryStates(contactId)).toEqual([
      { status: 'SUCCEEDED', attempt_count: 1, leased_by: null },
      { status: 'SUCCEEDED', attempt_count: 1, leased_by: null },
      { status: 'PENDING', attempt_count: 1, leased_by: null },
      { status: 'PENDING', attempt_count: 0, leased_by: null },
      { status: 'PENDING', attempt_count: 0, leased_by: null },
      { status: 'PENDING', attempt_count: 0, leased_by: null },
    ]);

    // Its retry falls due: it goes out again, and the later ones follow it, chained.
    await sql(api.databaseUrl, `update webhook_deliveries set next_attempt_at = now() where event_seq = (select seq from events where id = $1)`, [order[2]]);
    const claimsBefore = count('claim-deliveries');
    expect(await worker.runOnce()).toBe(1);
    await receiver.waitFor(7);
    expect(count('claim-deliveries') - claimsBefore).toBe(1);
    await worker.drain();
    expect(ids(receiver.requests)).toEqual([...order.slice(0, 3), order[2], ...order.slice(3)]);
    expect((await deliveryStates(contactId)).map((d) => d.status)).toEqual(Array.from({ length: 6 }, () => 'SUCCEEDED'));
  });

  it('chains nothing in offline mode: what waits goes out, in order, when it is switched off', async () => {
    const contactId = await busyContact('Offline Chain', 3);
    const order = await queuedOrder(contactId);
    let answer!: () => void;
    receiver.answers = [{ status: 200, until: new Promise<void>((resolve) => (answer = resolve)) }];

    expect(await worker.runOnce()).toBe(1);
    await receiver.waitFor(1);
    // Offline mode comes on while the first attempt is under way; its success then chains nothing.
    await api.ok(`mutation { configureWebhooks(input: { offlineMode: true }) { offlineMode } }`);
    answer();
    await worker.drain();
    expect(ids(receiver.requests)).toEqual(order.slice(0, 1));
    expect((await deliveryStates(contactId)).map((d) => d.status)).toEqual(['SUCCEEDED', 'PENDING', 'PENDING', 'PENDING']);

    await api.ok(`mutation { configureWebhooks(input: { offlineMode: false }) { offlineMode } }`);
    await worker.drain();
    expect(ids(receiver.requests)).toEqual(order);
  });
});
