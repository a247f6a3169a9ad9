import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSqlPool, type SqlPool } from '../../src/db/sql-pool.js';
import { poolSql } from '../../src/db/sql.js';
import { updateDocument, type UpdateDocumentInput } from '../../src/domain/documents/update-document.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let sql: SqlPool;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
  // One connection: every shape of the edit is prepared on the same session.
  sql = createSqlPool(t.databaseUrl, 1, pino({ level: 'silent' }));
});
afterAll(async () => {
  await sql.end();
  await t.stop();
});

it('edits with every shape on one connection, the long shapes that agree in their first 63 bytes too', async () => {
  const { createContact } = await t.ok(`mutation { createContact(input: { name: "Shapes Co", type: CLIENT }) { folders { edges { node { id } } } } }`);
  const [documents, review] = createContact.folders.edges.map((e: { node: { id: string } }) => e.node.id);
  const { createDocument } = await t.ok(`mutation($f: ID!) { createDocument(input: { folderId: $f, filename: "a.pdf" }) { id } }`, { f: documents });
  const common: UpdateDocumentInput = {
    docType: 'Invoice',
    docDate: '2025-01-02',
    aiSummary: 'Summary',
    fields: { Total: 1 },
    lineItems: [{ description: 'Item', quantity: 1, unitPrice: 1, amount: 1 }],
  };
  const shapes: UpdateDocumentInput[] = [
    common,
    { ...common, externalRefs: { erp: 'E-1' } },
    { ...common, externalRefs: { erp: 'E-2' }, folderId: review },
    { ...common, folderId: documents },
    { aiSummary: 'short' },
  ];
  for (let round = 0; round < 3; round++) {
    for (const [i, shape] of shapes.entries()) {
      const edited = await updateDocument(poolSql(sql), createDocument.id, { ...shape, aiSummary: `round ${round} shape ${i}` });
      expect(edited.aiSummary).toBe(`round ${round} shape ${i}`);
    }
  }
});
