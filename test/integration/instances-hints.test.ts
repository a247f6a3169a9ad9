import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { TestWsClient } from '../helpers/ws-client.js';

/**
 * An instance tells the others about its changes by NOTIFY only while others listen (it
 * counts their listeners, and a new one says hello when it connects). With every poll an hour
 * away, a subscriber on one instance sees the other's changes only through that NOTIFY.
 */
const NO_POLL = { WS_POLL_INTERVAL: '1h', WEBHOOK_POLL_INTERVAL: '1h', WEBHOOK_WORKER: 'false' };
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  a = await startTestApp(NO_POLL);
  b = await startTestApp(NO_POLL, a.databaseUrl);
});
afterAll(async () => {
  await b.stop();
  await a.stop();
});

it("streams one instance's changes to the subscribers of another that started after it, without a poll", async () => {
  const ws = new TestWsClient(b.url, { token: TEST_TOKEN });
  try {
    const sub = ws.subscribe<{ events: { type: string; payload: { name: string } } }>('subscription { events(types: [CONTACT_CREATED]) { type payload } }');
    await b.app.broadcaster.fanout.whenAttached(1);
    await a.ok(`mutation { createContact(input: { name: "Told by NOTIFY", type: CLIENT }) { id } }`);
    // Well before the listeners' next count (every 5 s): the hello of b told a at once.
    await sub.waitFor(1, 3000);
    expect(sub.results[0]!.data!.events.payload.name).toBe('Told by NOTIFY');
  } finally {
    await ws.dispose();
  }
});
