import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let db: pg.Pool;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
  db = new pg.Pool({ connectionString: t.databaseUrl, max: 2 });
});
afterAll(async () => {
  await db.end();
  await t.stop();
});

/**
 * The seq of an event is taken while its change holds the row, so for one row seq order is the
 * order its changes committed; the log (and every cursor) orders by transaction id first. For
 * one row the two must agree, or the events stream would show a row's changes out of order.
 */
async function logOrderBreaks(table: string, entityId: string): Promise<number> {
  const { rows } = await db.query<{ seq: string }>(
    `select seq::text from events where channel = $1 and entity_id = $2 order by txid, seq`,
    [table, entityId],
  );
  const seqs = rows.map((r) => BigInt(r.seq));
  return seqs.filter((seq, i) => i > 0 && seq < seqs[i - 1]!).length;
}

it('logs the concurrent changes of one row in the order they committed', async () => {
  const { createContact } = await t.ok(`mutation { createContact(input: { name: "Hot", type: CLIENT }) { id folders { edges { node { id } } } } }`);
  const folderId = createContact.folders.edges[0].node.id;
  // Many changes of one contact and one folder at once, on every connection of the pool: they
  // queue for the row, and some arrive just as it is released.
  await Promise.all(
    Array.from({ length: 300 }, (_, i) =>
      i % 2 === 0
        ? t.ok(`mutation($id: ID!, $n: String!) { updateContact(id: $id, input: { name: $n }) { id } }`, { id: createContact.id, n: `Hot ${i}` })
        : t.ok(`mutation($id: ID!, $n: String!) { updateFolder(id: $id, input: { name: $n }) { id } }`, { id: folderId, n: `Folder ${i}` }),
    ),
  );
  expect(await logOrderBreaks('CONTACT', createContact.id)).toBe(0);
  expect(await logOrderBreaks('FOLDER', folderId)).toBe(0);
});
