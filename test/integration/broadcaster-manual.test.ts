import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCursor } from '../../src/outbox/event-log.js';
import { compare, toPos } from '../../src/outbox/position.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createContact } from '../helpers/webhooks.js';

let t: TestApp;

beforeAll(async () => {
  // The broadcaster would poll every 20 ms: in manual mode it must not.
  t = await startTestApp({ WS_POLL_INTERVAL: '20ms' });
  await t.app.broadcaster.manual();
});
afterAll(async () => {
  await t.stop();
});

async function newestCursor(): Promise<string> {
  const { events } = await t.ok<{ events: { edges: { node: { cursor: string } }[] } }>(`{ events(first: 500) { edges { node { cursor } } } }`);
  return events.edges.at(-1)!.node.cursor;
}

describe('the broadcaster in manual mode', () => {
  it('reads the log only when stepped with runOnce(): neither the NOTIFY of a commit nor the poll moves it', async () => {
    await t.app.broadcaster.runOnce();
    const before = t.app.broadcaster.position;
    await createContact(t, 'Stepped Ltd');
    const newest = toPos(decodeCursor(await newestCursor()));
    // The NOTIFY of that commit comes back to this instance, and ten polls fall due meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(t.app.broadcaster.position).toEqual(before);

    await t.app.broadcaster.runOnce();
    expect(compare(t.app.broadcaster.position, newest)).toBe(0);
  });
});
