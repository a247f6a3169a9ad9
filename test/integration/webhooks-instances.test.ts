import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../src/outbox/record-event.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { pointChannel } from '../helpers/webhooks.js';

let a: TestApp;
let b: TestApp;
let receiver: TestReceiver;

const ENTITIES = 50;
const EVENTS_PER_ENTITY = 4;

beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp({}, a.databaseUrl);
  receiver = await new TestReceiver().start();
  receiver.fallback = { status: 200, delayMs: 2 };
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
  it('deliver every event exactly once between them, each entity in order', async () => {
    // The outbox as the domain services use it: twenty events per transaction, committed through both instances.
    const total = ENTITIES * EVENTS_PER_ENTITY;
    for (let first = 0; first < total; first += 20) {
      const app = (first / 20) % 2 === 0 ? a : b;
      await app.app.database.orm.em.fork().transactional(async (tx) => {
        for (let i = first; i < first + 20; i++) {
          const entityId = (i % ENTITIES) + 1;
          const n = Math.floor(i / ENTITIES);
          await recordEvent(tx, { type: 'contact.updated', entityId, payload: { id: entityId, n } }, 10_000);
        }
      });
    }
    await receiver.waitFor(total, 30_000);
    await Promise.all([a.app.worker!.drain(), b.app.worker!.drain()]);

    const ids = receiver.requests.map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    const { events: log } = await a.ok(`{ events(first: 500) { edges { node { id } } } }`);
    expect(new Set(ids)).toEqual(new Set(log.edges.map((e: { node: { id: string } }) => e.node.id)));

    const order = new Map<number, number[]>();
    for (const { json } of receiver.requests) order.set(json.id, [...(order.get(json.id) ?? []), json.n]);
    expect(order.size).toBe(ENTITIES);
    for (const seen of order.values()) expect(seen).toEqual([0, 1, 2, 3]);

    const [byA, byB] = await Promise.all([succeededAttempts(a), succeededAttempts(b)]);
    expect(byA + byB).toBe(total);
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
  });
});
