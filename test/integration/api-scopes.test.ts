import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_SCOPES, grants, type ApiScope } from '../../src/auth/scopes.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { operationSamples, schemaOfService, type OperationSample } from '../helpers/operation-samples.js';
import { TestWsClient } from '../helpers/ws-client.js';

let t: TestApp;
let db: pg.Client;
const clients: TestWsClient[] = [];
const samples = operationSamples(schemaOfService());

async function createToken(scopes: ApiScope[]): Promise<string> {
  const { createApiToken } = await t.ok(`mutation($scopes: [ApiScope!]!) { createApiToken(input: { name: "scopes test", scopes: $scopes }) { secret } }`, { scopes });
  return createApiToken.secret;
}

/**
 * Every row of every table of the service, as one digest: a refused operation must leave it
 * as it was. The token's first use (last_used_at) is made before the digest is taken.
 */
async function databaseDigest(): Promise<string> {
  const { rows: tables } = await db.query<{ name: string }>(
    `select quote_ident(table_name) as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  const parts = await Promise.all(tables.map(async ({ name }) => (await db.query<{ d: string | null }>(`select md5(string_agg(t::text, ',' order by t::text)) as d from ${name} t`)).rows[0]!.d));
  return tables.map((table, i) => `${table.name}:${parts[i]}`).join(' ');
}

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

const cases = API_SCOPES.flatMap((scope) => samples.map((sample) => [scope, `${sample.kind} ${sample.field}`, sample] as [ApiScope, string, OperationSample]));

describe('every operation with a token of every scope', () => {
  const refused = cases.filter(([scope, , s]) => !grants([scope], s.requires!));
  const allowed = cases.filter(([scope, , s]) => grants([scope], s.requires!));

  it('has refused and allowed cases for each scope but ADMIN, which is refused nothing', () => {
    for (const scope of API_SCOPES) {
      expect(allowed.some(([s]) => s === scope)).toBe(true);
      expect(refused.some(([s]) => s === scope)).toBe(scope !== 'ADMIN');
    }
  });

  it.each(refused)('%s: %s is FORBIDDEN over HTTP (403), naming the scope it needs, and changes nothing', async (scope, _, sample) => {
    const token = await createToken([scope]);
    await t.gql(`{ viewer { id } }`, undefined, token);
    const before = await databaseDigest();
    const res = await t.gql(sample.document, undefined, token);
    expect(res.status).toBe(403);
    expect(res.data).toBeUndefined();
    expect(res.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(`needs the ${sample.requires} scope`),
        extensions: expect.objectContaining({ code: 'FORBIDDEN', scope: sample.requires }),
      }),
    ]);
    expect(await databaseDigest()).toBe(before);
  });

  it.each(allowed)('%s: %s is not refused for its scope', async (scope, _, sample) => {
    // A token of its own: an allowed regenerateApiToken revokes the token that calls it.
    const token = await createToken([scope]);
    const res = await t.gql(sample.document, undefined, token);
    expect(res.status).not.toBe(403);
    expect(res.errors?.filter((e) => e.extensions?.code === 'FORBIDDEN') ?? []).toEqual([]);
  });

  it.each(refused.filter(([, , s]) => s.kind === 'subscription'))('%s: %s is refused over WebSocket as it starts', async (scope, _, sample) => {
    const c = new TestWsClient(t.url, { token: await createToken([scope]) });
    clients.push(c);
    const sub = c.client;
    const error = await new Promise<unknown>((resolve) => sub.subscribe({ query: sample.document }, { next: () => resolve('next'), error: resolve, complete: () => resolve('complete') }));
    expect(error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN', scope: sample.requires }) })]);
  });
});

describe('a subscription a token may use', () => {
  it('streams over WebSocket for a READ token', async () => {
    const c = new TestWsClient(t.url, { token: await createToken(['READ']) });
    clients.push(c);
    const sub = c.subscribe<{ contactChanged: { name: string } }>(`subscription { contactChanged { name } }`);
    await t.app.broadcaster.fanout.whenAttached(1);
    await t.ok(`mutation { createContact(input: { name: "Seen By Reader", type: CLIENT }) { id } }`);
    await sub.waitFor(1);
    expect(sub.data).toEqual([{ contactChanged: { name: 'Seen By Reader' } }]);
  });
});

describe('viewer', () => {
  it('is the token of the request, with its scopes, and never its secret', async () => {
    const token = await createToken(['WRITE', 'WEBHOOKS']);
    const { data } = await t.gql(`{ viewer { id name scopes expiresAt revokedAt } }`, undefined, token);
    expect(data).toEqual({ viewer: { id: expect.any(String), name: 'scopes test', scopes: ['WRITE', 'WEBHOOKS'], expiresAt: null, revokedAt: null } });
  });
});
