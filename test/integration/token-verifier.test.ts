import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenVerifier } from '../../src/auth/token-verifier.js';
import { generateToken, hashToken } from '../../src/auth/tokens.js';
import { createSqlPool, type SqlPool } from '../../src/db/sql-pool.js';
import { createTestDatabase } from '../helpers/db.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: SqlPool;
let admin: pg.Client;
let token: string;

beforeAll(async () => {
  database = await createTestDatabase();
  sql = createSqlPool(database.url, 4, pino({ level: 'silent' }));
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
  await sql.end();
  await database.drop();
});
beforeEach(async () => {
  token = generateToken();
  await admin.query(`insert into api_tokens (token_hash, name, scopes, created_at) values ($1, 'test', '{READ}', now())`, [hashToken(token)]);
});

/** Revoked in the database behind the verifier's back, as another instance would. */
const revoke = () => admin.query('update api_tokens set revoked_at = now() where token_hash = $1', [hashToken(token)]);

describe('TokenVerifier', () => {
  it('remembers a valid token while listening, until it is told the tokens changed', async () => {
    const verifier = new TokenVerifier(sql);
    verifier.setListening(true);
    expect(await verifier.isValid(token)).toBe(true);
    await revoke();
    expect(await verifier.isValid(token)).toBe(true);
    verifier.forget();
    expect(await verifier.isValid(token)).toBe(false);
  });

  it('remembers nothing while the listener is away, when a notification could be missed', async () => {
    const verifier = new TokenVerifier(sql);
    verifier.setListening(true);
    expect(await verifier.isValid(token)).toBe(true);
    verifier.setListening(false);
    await revoke();
    expect(await verifier.isValid(token)).toBe(false);
  });

  it('does not remember an answer that a change overtook while the query ran', async () => {
    // The database answers at once; the answer reaches the verifier when the test lets it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let answered!: () => void;
    const inDatabase = new Promise<void>((resolve) => (answered = resolve));
    const slow = {
      query: (async (config: pg.QueryConfig) => {
        const result = await sql.query(config);
        answered();
        await held;
        return result;
      }) as SqlPool['query'],
    };
    const verifier = new TokenVerifier(slow);
    verifier.setListening(true);
    const answer = verifier.isValid(token);
    await inDatabase;
    await revoke();
    verifier.forget();
    release();
    expect(await answer).toBe(true);
    expect(await verifier.isValid(token)).toBe(false);
  });

  it('refuses what is not of the token form without a query', async () => {
    const queries: string[] = [];
    const counting = {
      query: ((config: pg.QueryConfig) => {
        queries.push(config.text);
        return sql.query(config);
      }) as SqlPool['query'],
    };
    const verifier = new TokenVerifier(counting);
    for (const malformed of ['re_short', `${token} `, token.toUpperCase(), `re_${'g'.repeat(40)}`]) expect(await verifier.isValid(malformed)).toBe(false);
    expect(queries).toEqual([]);
    // The same verifier does query for a token of the right form, known or not.
    expect(await verifier.isValid(`re_${'f'.repeat(40)}`)).toBe(false);
    expect(await verifier.isValid(token)).toBe(true);
    // Two checks, and the first use of the valid token recorded (last_used_at).
    expect(queries).toHaveLength(3);
  });

  it('records the last use at most once per interval, whatever the number of requests', async () => {
    const touches: string[] = [];
    const counting = {
      query: ((config: pg.QueryConfig) => {
        if (config.name === 'token-touch') touches.push(config.text);
        return sql.query(config);
      }) as SqlPool['query'],
    };
    const verifier = new TokenVerifier(counting);
    verifier.setListening(true);
    for (let i = 0; i < 20; i++) expect(await verifier.isValid(token)).toBe(true);
    expect(touches).toHaveLength(1);
    const { rows } = await admin.query<{ recent: boolean }>('select last_used_at > now() - interval \'1 minute\' as recent from api_tokens where token_hash = $1', [hashToken(token)]);
    expect(rows).toEqual([{ recent: true }]);
  });

  it('refuses a remembered token once its expiry has passed, without a notification', async () => {
    const verifier = new TokenVerifier(sql);
    verifier.setListening(true);
    await admin.query(`update api_tokens set expires_at = now() + interval '1 hour' where token_hash = $1`, [hashToken(token)]);
    expect(await verifier.verify(token)).toMatchObject({ name: 'test', scopes: ['READ'], expiresAt: expect.any(Date) });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 2 * 3600_000);
      expect(await verifier.isValid(token)).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
