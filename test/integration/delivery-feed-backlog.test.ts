import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryUpdate } from '../../src/bridge/delivery-feed.js';
import type { Published } from '../../src/subscriptions/published.js';
import type { LiveQueue } from '../../src/bridge/fanout.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, pointChannel } from '../helpers/webhooks.js';

let t: TestApp;
let receiver: TestReceiver;

beforeAll(async () => {
  t = await startTestApp();
  receiver = await new TestReceiver().start();
});

afterAll(async () => {
  await t?.stop();
  await receiver?.stop();
});

/** A live subscriber of the feed, and the updates it has read. */
function subscribe() {
  const queue: LiveQueue<Published<DeliveryUpdate>> = t.app.deliveryFeed.fanout.attach({ accept: () => true, limit: 1_000_000, onOverflow: () => undefined });
  const seen: string[] = [];
  const waiters: { id: string; resolve: () => void }[] = [];
  void (async () => {
    for await (const item of queue) {
      seen.push(item.value.delivery.id);
      for (const w of waiters.filter((x) => x.id === item.value.delivery.id)) w.resolve();
    }
  })();
  return {
    seen,
    queue,
    /** Resolves when an update of this delivery has been read (at once if one was). */
    until: (id: string) => (seen.includes(id) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ id, resolve }))),
  };
}

describe('the live feed of delivery attempts under a burst of notifications', () => {
  it('reads a delivery once per burst instead of queueing one read per notification', async () => {
    const sub = subscribe();
    try {
      await pointChannel(t, 'contact', `${receiver.url}/hook`);
      await createContact(t, 'Burst One');
      await createContact(t, 'Burst Two');
      await receiver.waitFor(2);
      // Both deliveries' attempts are published once they are recorded.
      const ids = await t.app.database.sql
        .query<{ id: string }>(`select id::text as id from webhook_deliveries order by id`)
        .then((r) => r.rows.map((row) => row.id));
      expect(ids).toHaveLength(2);
      const [first, second] = ids as [string, string];
      await sub.until(first);
      await sub.until(second);
      sub.seen.length = 0;

      // 500 notifications of one delivery, then one of another: reads happen in order, so
      // once the second is published every read the burst caused is done.
      for (let i = 0; i < 500; i++) t.app.deliveryFeed.notify(first);
      t.app.deliveryFeed.notify(second);
      await sub.until(second);
      expect(sub.seen.filter((id) => id === first).length).toBeLessThanOrEqual(2);
    } finally {
      sub.queue.close();
    }
  });

  it('keeps at most its limit of deliveries waiting, however many are notified', async () => {
    const sub = subscribe();
    try {
      for (let id = 1; id <= 10_500; id++) t.app.deliveryFeed.notify(String(1_000_000_000 + id));
      expect(t.app.deliveryFeed.backlog).toBeLessThanOrEqual(10_000);
      expect(t.app.deliveryFeed.backlog).toBeGreaterThan(9_000);
    } finally {
      await t.app.deliveryFeed.stop();
      sub.queue.close();
    }
  });
});
