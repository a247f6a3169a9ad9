import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { hashToken } from '../../src/auth/tokens.js';
import { ormConfig } from '../../src/db/orm-config.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestWsClient } from '../helpers/ws-client.js';

/** A token's life in the expiry tests: long enough for its setup on a loaded machine, which a shorter one would outlive. */
const EXPIRY_MS = 4000;

let t: TestApp;
let db: pg.Client;
const clients: TestWsClient[] = [];

function client(token: string, url = t.url): TestWsClient {
  const c = new TestWsClient(url, { token });
  clients.push(c);
  return c;
}

type Created = { token: { id: string; name: string; scopes: string[]; expiresAt: string | null }; secret: string };

async function createToken(name: string, scopes: string[], expiresAt?: string): Promise<Created> {
  const { createApiToken } = await t.ok<{ createApiToken: Created }>(
    `mutation($input: ApiTokenInput!) { createApiToken(input: $input) { token { id name scopes expiresAt } secret } }`,
    { input: { name, scopes, expiresAt } },
  );
  return createApiToken;
}

const CONTACTS = `{ contacts(first: 1) { edges { cursor } } }`;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(async () => {
  await db.end();
  await t.stop();
});

describe('createApiToken and apiTokens', () => {
  it('shows the secret once, stores only its hash, and lists the token without it', async () => {
    const created = await createToken('partner feed', ['READ']);
    expect(created).toEqual({ token: { id: expect.any(String), name: 'partner feed', scopes: ['READ'], expiresAt: null }, secret: expect.stringMatching(/^re_[0-9a-f]{40}$/) });
    const { rows } = await db.query(`select 1 from api_tokens t where t::text like '%' || $1 || '%'`, [created.secret.slice(3)]);
    expect(rows).toEqual([]);
    const { rows: hashed } = await db.query('select name from api_tokens where token_hash = $1', [hashToken(created.secret)]);
    expect(hashed).toEqual([{ name: 'partner feed' }]);
    const { apiTokens } = await t.ok(`{ apiTokens(first: 500) { edges { node { id name scopes revokedAt } } } }`);
    expect(apiTokens.edges.map((e: { node: unknown }) => e.node)).toContainEqual({ id: created.token.id, name: 'partner feed', scopes: ['READ'], revokedAt: null });
  });

  it('makes the bootstrap token (API_TOKEN) ADMIN', async () => {
    expect(await t.ok(`{ viewer { name scopes } }`)).toEqual({ viewer: { name: 'API_TOKEN', scopes: ['ADMIN'] } });
  });

  it.each([
    ['no scope', { name: 'x', scopes: [] }, 'scopes'],
    ['a blank name', { name: '  ', scopes: ['READ'] }, 'name'],
    ['an expiry in the past', { name: 'x', scopes: ['READ'], expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_, input, field) => {
    const res = await t.gql(`mutation($input: ApiTokenInput!) { createApiToken(input: $input) { secret } }`, { input });
    expect(res.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) })]);
  });

  it('shows when the token was last used', async () => {
    const { token, secret } = await createToken('dashboard', ['READ']);
    const before = await t.ok(`{ apiTokens(first: 500) { edges { node { id lastUsedAt } } } }`);
    expect(before.apiTokens.edges.find((e: { node: { id: string } }) => e.node.id === token.id).node.lastUsedAt).toBeNull();
    for (let i = 0; i < 5; i++) expect((await t.gql(CONTACTS, undefined, secret)).status).toBe(200);
    const { data } = await t.gql(`{ viewer { lastUsedAt } }`, undefined, secret);
    expect(Date.parse(data!.viewer.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('revokeApiToken', () => {
  it('refuses the token at once on every instance: HTTP 401, its WebSockets closed with 4403, other tokens untouched', async () => {
    const other = await startTestApp({ WEBHOOK_WORKER: 'false' }, t.databaseUrl);
    try {
      const { token, secret } = await createToken('console', ['WRITE']);
      const kept = await createToken('kept', ['READ']);
      const here = client(secret);
      const there = client(secret, other.url);
      const keptSocket = client(kept.secret, other.url);
      here.subscribe(`subscription { events { id } }`);
      there.subscribe(`subscription { events { id } }`);
      const keptSub = keptSocket.subscribe<{ contactChanged: { name: string } }>(`subscription { contactChanged { name } }`);
      await Promise.all([t.app.broadcaster.fanout.whenAttached(1), other.app.broadcaster.fanout.whenAttached(2)]);
      // The other instance has checked (and remembered) the token over HTTP too.
      expect((await other.gql(CONTACTS, undefined, secret)).status).toBe(200);

      const { revokeApiToken } = await t.ok(`mutation($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }`, { id: token.id });
      expect(revokeApiToken).toEqual({ id: token.id, revokedAt: expect.any(String) });
      expect(await here.closed()).toEqual({ code: 4403, reason: 'The token was revoked or regenerated' });
      expect(await there.closed()).toEqual({ code: 4403, reason: 'The token was revoked or regenerated' });
      for (const app of [t, other]) {
        expect(await app.gql(CONTACTS, undefined, secret)).toMatchObject({ status: 401, errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
      }
      await t.ok(`mutation { createContact(input: { name: "Still Streamed", type: OTHER }) { id } }`);
      await keptSub.waitFor(1);
      expect(keptSub.data).toEqual([{ contactChanged: { name: 'Still Streamed' } }]);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
      await other.stop();
    }
  });

  it('refuses to revoke the last ADMIN token in force, and a token that does not exist', async () => {
    const { rows } = await db.query<{ id: number }>(`select id from api_tokens where name = 'API_TOKEN'`);
    await db.query(`update api_tokens set revoked_at = now() where 'ADMIN' = any(scopes) and name <> 'API_TOKEN'`);
    await db.query(`select pg_notify('recordengine_tokens', 'test')`);
    const last = await t.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: String(rows[0]!.id) });
    expect(last.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/last ADMIN token/), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
    const unknown = await t.gql(`mutation { revokeApiToken(id: "999999") { id } }`);
    expect(unknown.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
  });
});

describe('expiry', () => {
  it('closes the token\'s WebSocket with 4403 when it expires, and HTTP answers 401 from then on', async () => {
    const { secret } = await createToken('short-lived', ['READ'], new Date(Date.now() + EXPIRY_MS).toISOString());
    const c = client(secret);
    c.subscribe(`subscription { events { id } }`);
    await t.app.broadcaster.fanout.whenAttached(1);
    expect((await t.gql(CONTACTS, undefined, secret)).status).toBe(200);
    expect(await c.closed()).toEqual({ code: 4403, reason: 'The token expired' });
    expect(await t.gql(CONTACTS, undefined, secret)).toMatchObject({ status: 401, errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });
});

describe('regenerateApiToken', () => {
  it('replaces the calling token only: same name and scopes, a new secret; the old one stops at once', async () => {
    const caller = await createToken('rotating', ['WEBHOOKS']);
    const bystander = await createToken('bystander', ['READ']);
    const { data } = await t.gql<{ regenerateApiToken: string }>(`mutation { regenerateApiToken }`, undefined, caller.secret);
    const fresh = data!.regenerateApiToken;
    expect(fresh).toMatch(/^re_[0-9a-f]{40}$/);
    expect((await t.gql(CONTACTS, undefined, caller.secret)).status).toBe(401);
    expect((await t.gql(`{ viewer { name scopes } }`, undefined, fresh)).data).toEqual({ viewer: { name: 'rotating', scopes: ['WEBHOOKS'] } });
    expect((await t.gql(CONTACTS, undefined, bystander.secret)).status).toBe(200);
    expect((await t.gql(CONTACTS)).status).toBe(200);
  });
});

describe('the migration to scoped tokens', () => {
  it('keeps the token that existed before as ADMIN', async () => {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    const name = `tokens_migration_${randomBytes(4).toString('hex')}`;
    await admin.query(`create database ${name}`);
    const url = new URL(inject('pgAdminUrl'));
    url.pathname = `/${name}`;
    const orm = await MikroORM.init(ormConfig(url.toString(), 2));
    try {
      await orm.migrator.up({ to: 'Migration20261129040000_endpoints' });
      await orm.em.getConnection().execute(`insert into api_tokens (token_hash, label, created_at) values ('${'a'.repeat(64)}', 'generated at first start', now())`);
      await orm.migrator.up();
      const rows = await orm.em.getConnection().execute('select name, scopes, expires_at, last_used_at, revoked_at from api_tokens');
      expect(rows).toEqual([{ name: 'generated at first start', scopes: ['ADMIN'], expires_at: null, last_used_at: null, revoked_at: null }]);
    } finally {
      await orm.close(true);
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
