import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { contractViolation, eventBodyValidator } from '../helpers/webhook-contract.js';
import { TestWsClient } from '../helpers/ws-client.js';

/** Private networks refused, as in production: an inspector URL passes because it is the service's own. */
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false', WEBHOOK_RETRY_SCHEDULE: '1h' });
});
afterAll(async () => {
  await app.stop();
});

type Inspector = { id: string; url: string; expiresAt: string };

async function newInspector(): Promise<Inspector> {
  const { createInspector } = await app.ok<{ createInspector: Inspector }>('mutation { createInspector { id url expiresAt } }');
  return createInspector;
}

async function requests(id: string) {
  const { inspector } = await app.ok<{ inspector: { requests: { id: string; method: string; body: string; headers: { name: string; value: string }[] }[] } | null }>(
    'query($id: ID!) { inspector(id: $id) { requests { id method body headers { name value } } } }',
    { id },
  );
  return inspector?.requests ?? null;
}

describe('inspector', () => {
  it('is a URL of the service itself that answers 200 and keeps the request', async () => {
    const inspector = await newInspector();
    expect(inspector.url).toBe(`${app.url}/inspect/${inspector.id}`);
    expect(new Date(inspector.expiresAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const res = await fetch(`${inspector.url}?q=1`, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-probe': 'yes' }, body: '{"a":1}' });
    expect(res.status).toBe(200);
    const [kept] = (await requests(inspector.id))!;
    expect(kept).toMatchObject({ method: 'PUT', body: '{"a":1}' });
    expect(kept!.headers).toContainEqual({ name: 'x-probe', value: 'yes' });
  });

  it('passes the URL guard as the service own URL, while the same address elsewhere stays refused', async () => {
    const inspector = await newInspector();
    const configure = (url: string) =>
      app.gql('mutation($url: String!) { configureWebhooks(input: { document: { url: $url } }) { document { url } } }', { url });
    const accepted = await configure(inspector.url);
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data?.configureWebhooks.document.url).toBe(inspector.url);
    for (const url of [`${app.url}/graphql`, `${inspector.url}?x=1`, `${app.url}/inspect/${inspector.id}/../../graphql`, `${app.url}/inspect/insp_nothex`, `${app.url.replace(/:(\d+)$/, (_, p) => `:${Number(p) + 1}`)}/inspect/${inspector.id}`]) {
      const refused = await configure(url);
      expect(refused.errors?.[0]?.extensions?.code, url).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0]?.message, url).toMatch(/loopback, private or link-local/);
    }
  });

  it('receives the channel webhooks, shown live over the subscription', async () => {
    const inspector = await newInspector();
    await app.ok('mutation($url: String!) { configureWebhooks(input: { document: { url: $url, enabled: true }, bearerToken: "receiver-secret" }) { document { url } } }', {
      url: inspector.url,
    });
    const ws = new TestWsClient(app.url, { token: app.token });
    const live = ws.subscribe<{ inspectorRequestReceived: { id: string; body: string; headers: { name: string; value: string }[] } }>(
      'subscription($id: ID!) { inspectorRequestReceived(id: $id) { id body headers { name value } } }',
      { id: inspector.id },
    );
    try {
      type Sent = { url: string; headers: { name: string; value: string }[]; body: string };
      const { testWebhook } = await app.ok<{ testWebhook: { ok: boolean; httpStatus: number; error: string | null; request: Sent } }>(
        'mutation { testWebhook(channel: DOCUMENT) { ok httpStatus error request { url headers { name value } body } } }',
      );
      expect(testWebhook).toMatchObject({ ok: true, httpStatus: 200, error: null });
      await live.waitFor(1);
      const got = live.data[0]!.inspectorRequestReceived;
      expect(JSON.parse(got.body)).toMatchObject({ doc_type: 'Invoice', confidence_score: 87 });
      // The inspector is a receiver too: what it got is held to the contract.
      expect(contractViolation(eventBodyValidator('document.exported')!, JSON.parse(got.body))).toBeUndefined();
      expect(got.headers).toContainEqual({ name: 'x-recordengine-event', value: 'document.exported' });
      expect(got.headers.map((h) => h.name)).toEqual(expect.arrayContaining(['webhook-id', 'webhook-signature', 'webhook-timestamp']));
      // testWebhook's answer shows the request exactly as it was received, but for the write-only bearer token.
      expect(testWebhook.request.url).toBe(inspector.url);
      expect(testWebhook.request.body).toBe(got.body);
      expect(got.headers).toContainEqual({ name: 'authorization', value: 'Bearer receiver-secret' });
      expect(testWebhook.request.headers).toContainEqual({ name: 'authorization', value: 'Bearer ••••••' });
      for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type', 'user-agent', 'x-recordengine-event']) {
        expect(testWebhook.request.headers.find((h) => h.name === name), name).toStrictEqual(got.headers.find((h) => h.name === name));
      }
    } finally {
      live.stop();
      await ws.dispose();
    }
  });

  it('gives the kept requests after a request id first, then the live ones, with no gap', async () => {
    const inspector = await newInspector();
    for (const n of [1, 2, 3]) await fetch(inspector.url, { method: 'POST', body: String(n) });
    const [, second] = [...(await requests(inspector.id))!].reverse();
    const ws = new TestWsClient(app.url, { token: app.token });
    const live = ws.subscribe<{ inspectorRequestReceived: { body: string } }>('subscription($id: ID!, $after: ID) { inspectorRequestReceived(id: $id, after: $after) { body } }', {
      id: inspector.id,
      after: second!.id,
    });
    try {
      await live.waitFor(1);
      await fetch(inspector.url, { method: 'POST', body: '4' });
      await live.waitFor(2);
      expect(live.data.map((d) => d.inspectorRequestReceived.body)).toEqual(['3', '4']);
    } finally {
      live.stop();
      await ws.dispose();
    }
  });

  it('keeps the newest 100 requests', async () => {
    const inspector = await newInspector();
    for (let n = 1; n <= 103; n++) await fetch(inspector.url, { method: 'POST', body: String(n) });
    const kept = (await requests(inspector.id))!;
    expect(kept).toHaveLength(100);
    expect(kept[0]!.body).toBe('103');
    expect(kept.at(-1)!.body).toBe('4');
  });

  it('answers 404 to an unknown or expired inspector, and forgets it', async () => {
    expect((await fetch(`${app.url}/inspect/insp_000000000000000000000000`, { method: 'POST', body: 'x' })).status).toBe(404);
    const inspector = await newInspector();
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    await db.query(`update inspectors set expires_at = now() - interval '1 second' where id = $1`, [inspector.id]);
    await db.end();
    expect((await fetch(inspector.url, { method: 'POST', body: 'x' })).status).toBe(404);
    expect(await requests(inspector.id)).toBeNull();
  });

  it('refuses a subscription to an inspector that does not exist, naming it', async () => {
    const ws = new TestWsClient(app.url, { token: app.token });
    const live = ws.subscribe('subscription { inspectorRequestReceived(id: "insp_nope") { id } }');
    await live.end();
    expect(JSON.stringify(live.error ?? live.results)).toMatch(/insp_nope/);
    await ws.dispose();
  });
});
