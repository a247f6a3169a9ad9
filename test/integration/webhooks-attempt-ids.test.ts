import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, pointChannel, sql } from '../helpers/webhooks.js';

let t: TestApp;
let receiver: TestReceiver;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  t = await startTestApp({ WEBHOOK_RETRY_SCHEDULE: '0ms' }, undefined, log);
  receiver = await new TestReceiver().start();
});
afterAll(async () => {
  await receiver.stop();
  await t.stop();
});

it('names each delivery attempt by the id the delivery log shows, in the log line about it', async () => {
  await pointChannel(t, 'contact', receiver.url);
  // Ids 9 and 10: the log must list attempts by id as numbers, not as text ("10" < "9").
  await sql(t.databaseUrl, 'alter sequence webhook_attempts_id_seq restart with 9');
  receiver.answers = [{ status: 500, body: 'down' }];
  const id = await createContact(t, 'Logged Attempts Ltd');
  await t.app.worker!.drain();
  await t.app.worker!.drain();
  const { webhookDeliveries } = await t.ok(
    `query($id: ID!) { webhookDeliveries(filter: { channel: CONTACT, entityId: $id }) { edges { node { id event { id } attempts { id ok httpStatus } } } } }`,
    { id },
  );
  const delivery = webhookDeliveries.edges[0].node;
  const [failed, delivered] = delivery.attempts as { id: string; ok: boolean; httpStatus: number }[];
  expect([failed!.ok, delivered!.ok]).toEqual([false, true]);
  expect(failed!.id).not.toBe(delivered!.id);

  const about = (attemptId: string) => lines.filter((l) => l.attemptId === attemptId);
  expect(about(failed!.id)).toEqual([
    expect.objectContaining({
      msg: 'webhook attempt failed',
      deliveryId: delivery.id,
      webhookId: delivery.event.id,
      channel: 'CONTACT',
      httpStatus: 500,
      next: 'retry',
    }),
  ]);
  expect(about(delivered!.id)).toEqual([
    expect.objectContaining({ msg: 'webhook delivered', deliveryId: delivery.id, webhookId: delivery.event.id, httpStatus: 200 }),
  ]);
});
