import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
});
afterAll(async () => {
  await t.stop();
});

it("the service's plain pools run their statements without JIT compilation, however costly PostgreSQL estimates them", async () => {
  for (const pool of [t.app.database.sql, t.app.database.deliverySql]) {
    const client = await pool.connect();
    try {
      const { rows } = await client.query<{ jit: string }>('show jit');
      expect(rows[0]!.jit).toBe('off');
      // A cost threshold of 0 would compile every plan if JIT were on.
      await client.query('set jit_above_cost = 0');
      const { rows: plans } = await client.query<{ 'QUERY PLAN': [Record<string, unknown>] }>(
        `explain (analyze, format json) select e.seq from events e where e.seq > 0 order by e.seq limit 10`,
      );
      expect(plans[0]!['QUERY PLAN'][0]).not.toHaveProperty('JIT');
    } finally {
      // The session's setting leaves with the connection rather than back into the pool.
      client.release(true);
    }
  }
});

it("the ORM's connections run without JIT too", async () => {
  const [row] = await t.app.database.orm.em.fork().execute<{ jit: string }[]>('show jit');
  expect(row!.jit).toBe('off');
});
