import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';

let t: TestApp;
let db: pg.Client;
const auth = { authorization: `Bearer ${TEST_TOKEN}` };

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await t.stop();
});

async function readyz() {
  const res = await fetch(`${t.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string } };
}

describe('health and metrics', () => {
  it('/healthz answers 200', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 when migrated, 503 while a migration is pending', async () => {
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });
    const { rows } = await db.query<{ id: number; name: string; executed_at: Date }>('delete from mikro_orm_migrations returning id, name, executed_at');
    try {
      expect(await readyz()).toEqual({ status: 503, body: { status: 'migrations pending' } });
    } finally {
      for (const r of rows) await db.query('insert into mikro_orm_migrations (id, name, executed_at) values ($1, $2, $3)', [r.id, r.name, r.executed_at]);
    }
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('/metrics serves Prometheus text with the webhook and GraphQL metrics', async () => {
    await t.ok(`query ListForMetrics { contacts(first: 1) { edges { cursor } } }`);
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of ['webhook_attempts_total', 'webhook_attempt_duration_seconds', 'webhook_deliveries_pending', 'webhook_oldest_pending_age_seconds']) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(text).toMatch(/^graphql_operation_duration_seconds_count\{operation="ListForMetrics"\} [1-9]/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
  });
});

describe('the document deep link', () => {
  it('returns the webhook payload of the document with a token, 401 without, 404 for an unknown or malformed id', async () => {
    const { createContact } = await t.ok(`mutation { createContact(input: { name: "Link Co", type: PARTNER }) { id folders { edges { node { id } } } } }`);
    const { createDocument } = await t.ok(`mutation($f: ID!) { createDocument(input: { folderId: $f, filename: "deep.pdf" }) { id docUrl } }`, {
      f: createContact.folders.edges[0].node.id,
    });
    expect(createDocument.docUrl).toBe(`${t.url}/api/document/${createDocument.id}/view`);

    const res = await fetch(createDocument.docUrl, { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: Number(createDocument.id),
      filename: 'deep.pdf',
      status: 'New',
      contact_id: Number(createContact.id),
      contact_name: 'Link Co',
      folder_name: 'Documents',
      doc_url: createDocument.docUrl,
    });

    const anonymous = await fetch(createDocument.docUrl);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: expect.stringMatching(/Missing bearer token/) });
    const wrong = await fetch(createDocument.docUrl, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'The bearer token is not valid (revoked, expired or regenerated)' });

    for (const id of ['999999', 'abc', '1.5', '99999999999999999999', `0x${Number(createDocument.id).toString(16)}`, `${createDocument.id}.0`]) {
      const missing = await fetch(`${t.url}/api/document/${id}/view`, { headers: auth });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ error: `Document ${JSON.stringify(id)} does not exist` });
    }
  });
});

describe('GraphQL over GET', () => {
  it('runs a query given in the URL, with variables', async () => {
    const query = encodeURIComponent(`query One($n: Int) { contacts(first: $n) { edges { node { name } } } }`);
    const res = await fetch(`${t.url}/graphql?query=${query}&variables=${encodeURIComponent(JSON.stringify({ n: 1 }))}`, { headers: auth });
    expect(res.status).toBe(200);
    // A query in a URL is what a cache between client and service would keep: every answer says not to.
    expect(res.headers.get('cache-control')).toBe('no-store');
    // One edge of the contacts the file made: first is 1.
    expect(await res.json()).toEqual({ data: { contacts: { edges: [{ node: { name: expect.any(String) } }] } } });
  });

  it('refuses a mutation over GET with 405, changing nothing', async () => {
    const before = await db.query('select count(*) from contacts');
    const res = await fetch(`${t.url}/graphql?query=${encodeURIComponent(`mutation { createContact(input: { name: "Get", type: CLIENT }) { id } }`)}`, { headers: auth });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ errors: [{ message: expect.stringMatching(/mutation/i), extensions: { code: 'BAD_REQUEST' } }] });
    expect((await db.query('select count(*) from contacts')).rows).toEqual(before.rows);
  });

  it('answers a body that is not JSON with 400, not 500', async () => {
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [{ message: expect.stringMatching(/JSON/), extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('refuses a subscription sent as a plain request with 400, naming where subscriptions stream', async () => {
    for (const query of ['subscription { contactChanged { id } }', 'subscription { events { id } }']) {
      const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ errors: [{ message: expect.stringMatching(/WebSocket/), extensions: { code: 'BAD_REQUEST' } }] });
    }
  });
});

describe('when the database is unreachable', () => {
  it('/readyz answers 503, and 200 again once it is back', async () => {
    const name = new URL(t.databaseUrl).pathname.slice(1);
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    const { rows } = await db.query<{ pid: number }>('select pg_backend_pid() as pid');
    try {
      await admin.query(`alter database ${pg.escapeIdentifier(name)} with allow_connections false`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> $2', [name, rows[0]!.pid]);
      expect(await readyz()).toEqual({ status: 503, body: { status: 'database unreachable', error: expect.any(String) } });
    } finally {
      await admin.query(`alter database ${pg.escapeIdentifier(name)} with allow_connections true`);
      await admin.end();
    }
    let back = await readyz();
    // The pool may hand out one more connection that was terminated before it notices.
    for (let i = 0; i < 5 && back.status !== 200; i++) back = await readyz();
    expect(back).toEqual({ status: 200, body: { status: 'ready' } });
  });
});
