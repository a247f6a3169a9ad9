import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT_TYPES } from '../../src/domain/contacts/contact.entity.js';
import { DOCUMENT_SOURCES } from '../../src/domain/documents/document.entity.js';
import { DOCUMENT_STATUSES } from '../../src/domain/documents/lifecycle.js';
import { contactPayloadSql, documentPayloadSql, folderPayloadSql } from '../../src/events/payload-sql.js';
import { contactPayload, documentPayload, folderPayload, type ContactFacts, type DocumentFacts } from '../../src/events/payloads.js';
import { SAMPLE_CONTACT, SAMPLE_DOCUMENT, SAMPLE_FOLDER } from '../../src/events/samples.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

/**
 * The statements that write a change build its event's payload in SQL (events/payload-sql.ts);
 * payloads.ts is the reference's shape in TypeScript. For the same row, both give the same
 * JSON, keys in the same order.
 */
let t: TestApp;
let pool: pg.Pool;
const PUBLIC_URL = 'https://a9f3d7e2.recordengine.ai';

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
  pool = new pg.Pool({ connectionString: t.databaseUrl, max: 1 });
});
afterAll(async () => {
  await pool.end();
  await t.stop();
});

async function sqlPayload(expression: string, from: string, values: unknown[]): Promise<{ text: string; json: Record<string, unknown> }> {
  const { rows } = await pool.query<{ p: string }>(`select (${expression})::text as p from ${from}`, values);
  return { text: rows[0]!.p, json: JSON.parse(rows[0]!.p) };
}

function expectSame(fromSql: { text: string; json: Record<string, unknown> }, fromTs: Record<string, unknown>) {
  expect(fromSql.json).toStrictEqual(fromTs);
  expect(Object.keys(fromSql.json)).toEqual(Object.keys(fromTs));
}

const contactRow = `(select $1::int as id, $2::text as name, $3::contact_type as type, $4::text as email, $5::text as phone,
  $6::text as notes, $7::timestamptz as created_at, $8::timestamptz as updated_at) c`;
const contactValues = (c: ContactFacts) => [c.id, c.name, c.type, c.email, c.phone, c.notes, c.createdAt, c.updatedAt];

describe('payloads built in SQL', () => {
  it('equal contactPayload() for every contact type, with and without the optional fields', async () => {
    for (const type of CONTACT_TYPES) {
      for (const contact of [
        { ...SAMPLE_CONTACT, type },
        { ...SAMPLE_CONTACT, type, email: null, phone: null, notes: null, name: 'Ünïcødé "quoted" \\ name' },
      ]) {
        expectSame(await sqlPayload(contactPayloadSql('c'), contactRow, contactValues(contact)), contactPayload(contact));
      }
    }
  });

  it('equal folderPayload()', async () => {
    const from = `(select $1::int as id, $2::text as name, $3::timestamptz as created_at, $4::timestamptz as updated_at) f,
      (select $5::int as id, $6::text as name) c`;
    const f = SAMPLE_FOLDER;
    expectSame(await sqlPayload(folderPayloadSql('f', 'c'), from, [f.id, f.name, f.createdAt, f.updatedAt, f.contact.id, f.contact.name]), folderPayload(f));
  });

  it('equal documentPayload() for every status, source and confidence boundary, with and without line items', async () => {
    const from = `(select $1::int as id, $2::text as filename, $3::text as original_filename, $4::document_status as status,
        $5::document_source as source, $6::text as doc_type, $7::date as doc_date, $8::text as ai_summary, $9::smallint as confidence_score,
        $10::text as confidence_reasoning, $11::jsonb as extracted_fields, $12::jsonb as line_items, $13::jsonb as external_refs,
        $14::timestamptz as created_at, $15::timestamptz as updated_at) d,
      (select $16::int as id, $17::text as name) c, (select $18::int as id, $19::text as name) f`;
    const values = (d: DocumentFacts) => [
      d.id, d.filename, d.originalFilename, d.status, d.source, d.docType, d.docDate, d.aiSummary, d.confidenceScore, d.confidenceReasoning,
      JSON.stringify(d.extractedFields), JSON.stringify(d.lineItems), JSON.stringify(d.externalRefs), d.createdAt, d.updatedAt,
      d.contact.id, d.contact.name, d.folder.id, d.folder.name,
    ];
    const documents: DocumentFacts[] = [
      ...DOCUMENT_STATUSES.map((status) => ({ ...SAMPLE_DOCUMENT, status })),
      ...DOCUMENT_SOURCES.map((source) => ({ ...SAMPLE_DOCUMENT, source })),
      ...[null, 0, 49, 50, 74, 75, 89, 90, 100].map((confidenceScore) => ({ ...SAMPLE_DOCUMENT, confidenceScore })),
      { ...SAMPLE_DOCUMENT, lineItems: [], extractedFields: {}, externalRefs: {}, docType: null, docDate: null, aiSummary: null, confidenceReasoning: null },
      { ...SAMPLE_DOCUMENT, lineItems: [{ description: 'Fraction', quantity: 0.5, unitPrice: 1234.56, amount: 617.28 }] },
    ];
    for (const doc of documents) {
      expectSame(await sqlPayload(documentPayloadSql('d', 'c', 'f', `'${PUBLIC_URL}'`), from, values(doc)), documentPayload(doc, PUBLIC_URL));
    }
  });
});
