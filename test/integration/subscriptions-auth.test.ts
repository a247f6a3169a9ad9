import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestWsClient } from '../helpers/ws-client.js';

let t: TestApp;
const clients: TestWsClient[] = [];

function client(opts: ConstructorParameters<typeof TestWsClient>[1], url = t.url): TestWsClient {
  const c = new TestWsClient(url, opts);
  clients.push(c);
  return c;
}

/** A bare WebSocket speaking the protocol by hand, for what the real client never does. */
async function rawSocket(): Promise<WebSocket> {
  const socket = new WebSocket(`${t.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  await once(socket, 'open');
  return socket;
}

async function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  const [code, reason] = (await once(socket, 'close')) as [number, Buffer];
  return { code, reason: reason.toString() };
}

beforeAll(async () => {
  t = await startTestApp({ WS_CONNECTION_INIT_TIMEOUT: '1s' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await t.app.broadcaster.fanout.whenEmpty();
});
afterAll(async () => {
  await t.stop();
});

describe('WebSocket authentication', () => {
  it('closes with 4403 when connectionParams carry no token, before any operation runs', async () => {
    const c = client({});
    const sub = c.subscribe(`subscription { events { id } }`);
    expect(await c.closed()).toEqual({ code: 4403, reason: expect.stringMatching(/authorization: "Bearer <token>"/) });
    await sub.end();
    expect(sub.results).toEqual([]);
    expect(t.app.broadcaster.fanout.size).toBe(0);
  });

  it('closes with 4403 on a wrong token, and on one that is not of the form Bearer <token>', async () => {
    const wrong = client({ token: `re_${'f'.repeat(40)}` });
    wrong.subscribe(`subscription { events { id } }`);
    expect(await wrong.closed()).toEqual({ code: 4403, reason: 'The token is not valid (or was regenerated)' });
    const malformed = client({ connectionParams: { authorization: t.token } });
    malformed.subscribe(`subscription { events { id } }`);
    expect((await malformed.closed()).code).toBe(4403);
  });

  it('accepts the token and streams', async () => {
    const c = client({ token: t.token });
    const sub = c.subscribe<{ contactChanged: { name: string } }>(`subscription { contactChanged { name } }`);
    await t.app.broadcaster.fanout.whenAttached(1);
    await t.ok(`mutation { createContact(input: { name: "Authorised Ltd", type: CLIENT }) { id } }`);
    await sub.waitFor(1);
    expect(sub.data).toEqual([{ contactChanged: { name: 'Authorised Ltd' } }]);
  });

  it('closes with 4401 when connection_init never comes', async () => {
    const socket = await rawSocket();
    expect(await closeOf(socket)).toEqual({ code: 4401, reason: 'connection_init not received within 1000 ms' });
  });

  it('closes with 4401 on a subscribe sent before connection_init', async () => {
    const socket = await rawSocket();
    const closed = closeOf(socket);
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { events { id } }' } }));
    expect((await closed).code).toBe(4401);
  });

  it('drops a peer that stops answering pings', async () => {
    const pinging = await startTestApp({ WS_KEEP_ALIVE: '200ms' }, t.databaseUrl);
    try {
      const c = client({ token: t.token }, pinging.url);
      c.subscribe(`subscription { folderChanged { id } }`);
      await pinging.app.broadcaster.fanout.whenAttached(1);
      // A paused socket reads nothing, so it answers no ping: the server terminates it.
      c.socket!.pause();
      await once(pinging.app.broadcaster.fanout, 'detached');
      expect(pinging.app.broadcaster.fanout.size).toBe(0);
      c.socket!.resume();
      expect((await c.closed()).code).toBe(1006);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
      await pinging.stop();
    }
  });
});

describe('a regenerated token', () => {
  it('ends the sockets and the HTTP access of the old one, on every instance', async () => {
    const other = await startTestApp({}, t.databaseUrl);
    try {
      const here = client({ token: t.token });
      const there = client({ token: t.token }, other.url);
      here.subscribe(`subscription { events { id } }`);
      there.subscribe(`subscription { events { id } }`);
      await Promise.all([t.app.broadcaster.fanout.whenAttached(1), other.app.broadcaster.fanout.whenAttached(1)]);
      // The other instance has checked (and remembered) the token over HTTP as well.
      expect(await other.gql(`{ contacts(first: 1) { edges { cursor } } }`)).toEqual({ status: 200, data: { contacts: { edges: expect.any(Array) } } });
      const { regenerateApiToken } = await t.ok<{ regenerateApiToken: string }>(`mutation { regenerateApiToken }`);
      expect(await here.closed()).toEqual({ code: 4403, reason: 'The token was revoked or regenerated' });
      expect(await there.closed()).toEqual({ code: 4403, reason: 'The token was revoked or regenerated' });
      // Its sockets closed on the notification, after it forgot the token: HTTP refuses it too.
      expect(await other.gql(`{ contacts(first: 1) { edges { cursor } } }`)).toMatchObject({
        status: 401,
        errors: [{ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(/not valid/) }],
      });

      const renewed = client({ token: regenerateApiToken }, other.url);
      const sub = renewed.subscribe<{ contactChanged: { name: string } }>(`subscription { contactChanged { name } }`);
      await other.app.broadcaster.fanout.whenAttached(1);
      await t.gql(`mutation { createContact(input: { name: "After Regeneration", type: OTHER }) { id } }`, {}, regenerateApiToken);
      await sub.waitFor(1);
      expect(sub.data).toEqual([{ contactChanged: { name: 'After Regeneration' } }]);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
      await other.stop();
    }
  });
});
