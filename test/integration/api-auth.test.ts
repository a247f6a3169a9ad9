import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type GraphQLResponse, type TestApp } from '../helpers/app.js';

let t: TestApp;

const QUERY = `{ contacts(first: 1) { edges { cursor } } }`;

async function post(app: TestApp, headers: Record<string, string>) {
  const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: QUERY }) });
  return { status: res.status, body: (await res.json()) as GraphQLResponse };
}

async function get(app: TestApp, headers: Record<string, string>) {
  const res = await fetch(`${app.url}/graphql?query=${encodeURIComponent(QUERY)}`, { headers });
  return { status: res.status, body: (await res.json()) as GraphQLResponse };
}

function expectUnauthenticated(res: { status: number; body: GraphQLResponse }, message: RegExp) {
  expect(res.status).toBe(401);
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors![0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  expect(res.body.errors![0]!.message).toMatch(message);
  expect(res.body.data).toBeUndefined();
}

/** Answered with the data of QUERY (no contact exists in this file) and no error. */
function expectAccepted(res: { status: number; body: GraphQLResponse }) {
  expect(res).toEqual({ status: 200, body: { data: { contacts: { edges: [] } } } });
}

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
});
afterAll(async () => {
  await t.stop();
});

describe('authentication', () => {
  it('accepts the API_TOKEN it was started with, over POST and GET', async () => {
    expectAccepted(await post(t, { authorization: `Bearer ${TEST_TOKEN}` }));
    expectAccepted(await get(t, { authorization: `bearer  ${TEST_TOKEN}` }));
  });

  it('answers 401 UNAUTHENTICATED without a token', async () => {
    expectUnauthenticated(await post(t, {}), /Missing bearer token/);
    expectUnauthenticated(await get(t, {}), /Missing bearer token/);
  });

  it.each([
    ['a token nobody issued', `Bearer re_${'f'.repeat(40)}`],
    ['a token of the wrong shape', 'Bearer secret'],
    ['the token with a character changed', `Bearer ${TEST_TOKEN.slice(0, -1)}0`],
  ])('answers 401 UNAUTHENTICATED to %s', async (_, header) => {
    expectUnauthenticated(await post(t, { authorization: header }), /not valid/);
  });

  it.each([
    ['another scheme', `Basic ${TEST_TOKEN}`],
    ['the token alone', TEST_TOKEN],
    ['Bearer and nothing', 'Bearer '],
    ['two words after Bearer', `Bearer ${TEST_TOKEN} extra`],
  ])('answers 401 UNAUTHENTICATED to a malformed header: %s', async (_, header) => {
    expectUnauthenticated(await post(t, { authorization: header }), /not of the form "Bearer <token>"/);
  });

  it('stores only the SHA-256 of a token', async () => {
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ token_hash: string }>('select token_hash from api_tokens');
      expect(rows.map((r) => r.token_hash)).toContain(createHash('sha256').update(TEST_TOKEN).digest('hex'));
      const { rows: plain } = await db.query(`select 1 from api_tokens t where t::text like '%' || $1 || '%'`, [TEST_TOKEN]);
      expect(plain).toHaveLength(0);
    } finally {
      await db.end();
    }
  });
});

describe('regenerateApiToken', () => {
  it('returns a new re_ token; the old one stops at once, the new one works, and a restart with API_TOKEN does not bring the old one back', async () => {
    const { regenerateApiToken } = await t.ok<{ regenerateApiToken: string }>(`mutation { regenerateApiToken }`);
    expect(regenerateApiToken).toMatch(/^re_[0-9a-f]{40}$/);
    expect(regenerateApiToken).not.toBe(TEST_TOKEN);

    expectUnauthenticated(await post(t, { authorization: `Bearer ${TEST_TOKEN}` }), /not valid/);
    expectAccepted(await post(t, { authorization: `Bearer ${regenerateApiToken}` }));

    // A second regeneration revokes the first new token as well.
    const second = await t.gql<{ regenerateApiToken: string }>(`mutation { regenerateApiToken }`, undefined, regenerateApiToken);
    expect(second).toEqual({ status: 200, data: { regenerateApiToken: expect.stringMatching(/^re_[0-9a-f]{40}$/) } });
    const newest = second.data!.regenerateApiToken;
    expectUnauthenticated(await post(t, { authorization: `Bearer ${regenerateApiToken}` }), /not valid/);

    await t.app.stop();
    const restarted = await startTestApp({ WEBHOOK_WORKER: 'false', API_TOKEN: TEST_TOKEN }, t.databaseUrl);
    try {
      expectUnauthenticated(await post(restarted, { authorization: `Bearer ${TEST_TOKEN}` }), /not valid/);
      expectAccepted(await post(restarted, { authorization: `Bearer ${newest}` }));
    } finally {
      await restarted.stop();
    }
  });
});
