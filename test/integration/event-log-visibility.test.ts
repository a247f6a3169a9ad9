import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';

let t: TestApp;
let other: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  t = await startTestApp();
  other = await createTestDatabase();
});
afterAll(async () => {
  await t.stop();
  await other.drop();
});

async function loggedNames(): Promise<string[]> {
  const { events } = await t.ok(`{ events(first: 500, types: [CONTACT_CREATED]) { edges { node { payload } } } }`);
  return events.edges.map((e: { node: { payload: { name: string } } }) => e.node.payload.name);
}

/** A client holding a write transaction open (it has a transaction id) on the given database. */
async function openWriter(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('begin');
  await c.query('select pg_current_xact_id()');
  return c;
}

describe('the event log is readable', () => {
  it('at once, whatever another database on the same server keeps open', async () => {
    const elsewhere = await openWriter(other.url);
    try {
      await t.ok(`mutation { createContact(input: { name: "Not held back", type: CLIENT }) { id } }`);
      expect(await loggedNames()).toContain('Not held back');
    } finally {
      await elsewhere.query('rollback');
      await elsewhere.end();
    }
  });

  it('only up to an older write transaction of its own database, and past it once that ends', async () => {
    const here = await openWriter(t.databaseUrl);
    try {
      await t.ok(`mutation { createContact(input: { name: "Held back", type: CLIENT }) { id } }`);
      // The older transaction could still write an event that sorts before this one.
      expect(await loggedNames()).not.toContain('Held back');
    } finally {
      await here.query('commit');
      await here.end();
    }
    expect(await loggedNames()).toContain('Held back');
  });
});
