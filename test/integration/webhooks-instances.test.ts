import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver, type Answer } from '../helpers/receiver.js';
import { createContact, pointChannel, renameContact, sql } from '../helpers/webhooks.js';

let a: TestApp;
let b: TestApp;
let receiver: TestReceiver;

/** Attempts in flight per instance: two instances hold at most twice this many answers. */
const CONCURRENCY = 4;
const CONTACTS = 10;
const RENAMES = 3;
// Long enough that no attempt held by the test times out on a loaded machine.
const ENV = { WEBHOOK_CONCURRENCY: String(CONCURRENCY), WEBHOOK_TIMEOUT: '60s' };

beforeAll(async () => {
  a = await startTestApp(ENV);
  b = await startTestApp(ENV, a.databaseUrl);
  receiver = await new TestReceiver().start();
  await pointChannel(a, 'contact', receiver.url);
});
afterAll(async () => {
  await receiver.stop();
  await b.stop();
  await a.stop();
});

async function succeededAttempts(app: TestApp): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  return [...text.matchAll(/^webhook_attempts_total\{channel="\w+",outcome="succeeded"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('two instances on one database', () => {
  it('deliver the event of every acknowledged mutation exactly once between them, each contact in order', async () => {
    const seenBefore = receiver.requests.length;
    const succeededBefore = (await succeededAttempts(a)) + (await succeededAttempts(b));
    // The first answers wait for the test: each instance fills its slots and no more, so the
    // rest can only be claimed by the other one. Both work, with no race to win.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held: Answer[] = Array.from({ length: 2 * CONCURRENCY }, () => ({ status: 200, until: released }));
    receiver.answers = held;

    // Every change goes through the API, half of them through each instance.
    const names = new Map<string, string[]>();
    const ids: string[] = [];
    for (let i = 0; i < CONTACTS; i++) {
      const name = `Instance Co ${i}`;
      const id = await createContact(i % 2 === 0 ? a : b, name);
      ids.push(id);
      names.set(id, [name]);
    }
    await receiver.waitFor(seenBefore + 2 * CONCURRENCY);
    const leases = await sql<{ leased_by: string; n: number }>(
      a.databaseUrl,
      `select leased_by, count(*)::int as n from webhook_deliveries where status = 'PENDING' and leased_by is not null group by leased_by`,
    );
    expect(Object.fromEntries(leases.map((r) => [r.leased_by, r.n]))).toEqual({ [a.app.worker!.id]: CONCURRENCY, [b.app.worker!.id]: CONCURRENCY });

    // Renamed while their first events are still in flight: these queue behind them.
    await Promise.all(
      ids.map(async (id, i) => {
        for (let n = 1; n <= RENAMES; n++) {
          const name = `Instance Co ${i} v${n}`;
          await renameContact((i + n) % 2 === 0 ? a : b, id, name);
          names.get(id)!.push(name);
        }
      }),
    );
    release();
    const total = CONTACTS * (1 + RENAMES);
    await receiver.waitFor(seenBefore + total, 30_000);
    await Promise.all([a.app.worker!.drain(), b.app.worker!.drain()]);

    const sent = receiver.requests.slice(seenBefore);
    const webhookIds = sent.map((r) => String(r.headers['webhook-id']));
    expect(webhookIds).toHaveLength(total);
    expect(new Set(webhookIds).size).toBe(total);
    const { events } = await a.ok(`{ events(types: [CONTACT_CREATED, CONTACT_UPDATED], first: 500) { edges { node { id payload } } } }`);
    const logged = events.edges.map((e: { node: { id: string; payload: { id: number } } }) => e.node).filter((e: { payload: { id: number } }) => ids.includes(String(e.payload.id)));
    expect(new Set(webhookIds)).toEqual(new Set(logged.map((e: { id: string }) => e.id)));

    // Each contact's changes reached the receiver in the order the mutations were acknowledged.
    const received = new Map<string, string[]>();
    for (const { json } of sent) received.set(String(json.id), [...(received.get(String(json.id)) ?? []), json.name]);
    expect(received).toEqual(names);

    const [byA, byB] = await Promise.all([succeededAttempts(a), succeededAttempts(b)]);
    expect(byA + byB - succeededBefore).toBe(total);
  });
});
