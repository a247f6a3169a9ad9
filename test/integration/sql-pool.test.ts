import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSqlPool, type SqlPool } from '../../src/db/sql-pool.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let sql: SqlPool;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
  sql = createSqlPool(t.databaseUrl, 1, pino({ level: 'silent' }));
});
afterAll(async () => {
  await sql.end();
  await t.stop();
});

it('the plain pools run their statements without JIT compilation, however costly PostgreSQL estimates them', async () => {
  const { rows } = await sql.query<{ jit: string }>('show jit');
  expect(rows[0]!.jit).toBe('off');
  // A cost threshold of 0 would compile every plan if JIT were on.
  const client = await sql.connect();
  try {
    await client.query('set jit_above_cost = 0');
    const { rows: plans } = await client.query<{ 'QUERY PLAN': [Record<string, unknown>] }>(
      `explain (analyze, format json) select e.seq from events e where e.seq > 0 order by e.seq limit 10`,
    );
    expect(plans[0]!['QUERY PLAN'][0]).not.toHaveProperty('JIT');
  } finally {
    client.release();
  }
});

it("the ORM's connections run without JIT too", async () => {
  const [row] = await t.app.database.orm.em.fork().execute<{ jit: string }[]>('show jit');
  expect(row!.jit).toBe('off');
});
