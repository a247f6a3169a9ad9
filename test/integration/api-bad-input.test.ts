import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/domain/validate.js';
import { startTestApp, TEST_TOKEN, type GraphQLResponse, type TestApp } from '../helpers/app.js';

let t: TestApp;
let db: pg.Client;

/** Ids made once for the whole file; each test refers to them and must leave them as they are. */
const f = {
  contact: '',
  child: '',
  grandchild: '',
  documents: '',
  otherContactFolder: '',
  profile: '',
  fresh: '',
  approved: '',
  exported: '',
  archived: '',
};

const TABLES: [string, string][] = [
  ['contacts', 'id'],
  ['folders', 'id'],
  ['extraction_profiles', 'id'],
  ['documents', 'id'],
  ['events', 'seq'],
  ['webhook_deliveries', 'id'],
  ['api_tokens', 'id'],
];

/** Every row of every table the API writes, as one digest: equal digests, nothing changed. */
async function fingerprint(): Promise<string> {
  const parts = TABLES.map(([table, key]) => `(select md5(coalesce(string_agg(t::text, '|' order by t.${key}), '')) from ${table} t)`);
  const { rows } = await db.query<{ digest: string }>(`select ${parts.join(' || ')} as digest`);
  return rows[0]!.digest;
}

type Expected = { code: string; mentions: string[]; http?: number };

/** Sends the request, checks the error it must give, and checks that it changed nothing. */
async function refused(query: string, variables: Record<string, unknown> | undefined, expected: Expected): Promise<GraphQLResponse> {
  const before = await fingerprint();
  const res = await t.gql(query, variables);
  expect(res.status, JSON.stringify(res)).toBeLessThan(500);
  if (expected.http) expect(res.status).toBe(expected.http);
  expect(res.errors, JSON.stringify(res)).toHaveLength(1);
  const [error] = res.errors!;
  expect(error!.extensions?.code, error!.message).toBe(expected.code);
  for (const mention of expected.mentions) expect(error!.message).toContain(mention);
  expect(await fingerprint()).toBe(before);
  return res;
}

async function status(id: string, s: string) {
  await t.ok(`mutation($id: ID!) { setDocumentStatus(id: $id, status: ${s}) { id } }`, { id });
}

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  const { createExtractionProfile } = await t.ok(`mutation { createExtractionProfile(input: { name: "Invoice", fieldLabels: ["Invoice Number", "Total"] }) { id } }`);
  f.profile = createExtractionProfile.id;
  const make = async (name: string, parentId?: string) =>
    (
      await t.ok(`mutation($input: CreateContactInput!) { createContact(input: $input) { id folders { edges { node { id } } } } }`, {
        input: { name, type: 'CLIENT', parentId, defaultProfileId: f.profile },
      })
    ).createContact;
  const contact = await make('Acme');
  const child = await make('Acme West', contact.id);
  const grandchild = await make('Acme West Retail', child.id);
  const other = await make('Other');
  Object.assign(f, {
    contact: contact.id,
    child: child.id,
    grandchild: grandchild.id,
    documents: contact.folders.edges[0].node.id,
    otherContactFolder: other.folders.edges[0].node.id,
  });
  const doc = async () =>
    (await t.ok(`mutation($f: ID!) { createDocument(input: { folderId: $f, filename: "a.pdf" }) { id } }`, { f: f.documents })).createDocument.id as string;
  f.fresh = await doc();
  f.approved = await doc();
  f.exported = await doc();
  f.archived = await doc();
  for (const id of [f.approved, f.exported]) {
    await t.ok(`mutation($id: ID!) { recordExtraction(id: $id, input: { confidenceScore: 90 }) { id } }`, { id });
    await status(id, 'READY');
    await status(id, 'APPROVED');
  }
  await status(f.exported, 'EXPORT');
  await status(f.archived, 'ARCHIVED');
});
afterAll(async () => {
  await db.end();
  await t.stop();
});

describe('unknown ids are NOT_FOUND, naming the id', () => {
  it.each([
    ['contact', `{ contact(id: 999999) { id } }`, 'Contact "999999"'],
    ['folder', `{ folder(id: 999999) { id } }`, 'Folder "999999"'],
    ['document', `{ document(id: 999999) { id } }`, 'Document "999999"'],
    ['updateContact', `mutation { updateContact(id: 999999, input: { name: "X" }) { id } }`, 'Contact "999999"'],
    ['updateFolder', `mutation { updateFolder(id: 999999, input: { name: "X" }) { id } }`, 'Folder "999999"'],
    ['updateDocument', `mutation { updateDocument(id: 999999, input: { docType: "X" }) { id } }`, 'Document "999999"'],
    ['recordExtraction', `mutation { recordExtraction(id: 999999, input: { confidenceScore: 50 }) { id } }`, 'Document "999999"'],
    ['setDocumentStatus', `mutation { setDocumentStatus(id: 999999, status: PROCESSING) { id } }`, 'Document "999999"'],
    ['exportDocument', `mutation { exportDocument(id: 999999) { id } }`, 'Document "999999"'],
  ])('%s', async (_, query, mention) => {
    await refused(query, undefined, { code: 'NOT_FOUND', mentions: [mention] });
  });

  it('a folder that does not exist, for a new document, a new folder or a move', async () => {
    await refused(`mutation { createDocument(input: { folderId: 999998, filename: "a.pdf" }) { id } }`, undefined, { code: 'NOT_FOUND', mentions: ['Folder "999998"'] });
    await refused(`mutation { createFolder(input: { contactId: 999997, name: "X" }) { id } }`, undefined, { code: 'NOT_FOUND', mentions: ['Contact "999997"'] });
    await refused(`mutation($id: ID!) { updateDocument(id: $id, input: { folderId: 999996 }) { id } }`, { id: f.fresh }, { code: 'NOT_FOUND', mentions: ['Folder "999996"'] });
  });

  it('a parent, a default profile or a profile that does not exist', async () => {
    await refused(`mutation { createContact(input: { name: "Orphan", type: CLIENT, parentId: 999995 }) { id } }`, undefined, {
      code: 'NOT_FOUND',
      mentions: ['Contact "999995"'],
    });
    await refused(`mutation($id: ID!) { updateContact(id: $id, input: { parentId: 999994 }) { id } }`, { id: f.child }, { code: 'NOT_FOUND', mentions: ['Contact "999994"'] });
    await refused(`mutation { createContact(input: { name: "X", type: CLIENT, defaultProfileId: 999993 }) { id } }`, undefined, {
      code: 'NOT_FOUND',
      mentions: ['ExtractionProfile "999993"'],
    });
    await refused(`mutation($f: ID!) { createDocument(input: { folderId: $f, filename: "a.pdf", profileId: 999992 }) { id } }`, { f: f.documents }, {
      code: 'NOT_FOUND',
      mentions: ['ExtractionProfile "999992"'],
    });
  });
});

describe('ids, pages and cursors', () => {
  it.each(['abc', '1.5', '-1', '0', '99999999999', ''])('refuses the id %j', async (id) => {
    await refused(`query($id: ID!) { contact(id: $id) { id } }`, { id }, { code: 'BAD_USER_INPUT', mentions: [`id ${JSON.stringify(id)}`] });
  });

  it('refuses a non-numeric id in a filter or an input', async () => {
    await refused(`{ documents(filter: { folderId: "x1" }) { edges { cursor } } }`, undefined, { code: 'BAD_USER_INPUT', mentions: ['filter.folderId "x1"'] });
    await refused(`mutation { createFolder(input: { contactId: "abc", name: "X" }) { id } }`, undefined, { code: 'BAD_USER_INPUT', mentions: ['contactId "abc"'] });
  });

  it.each([0, -1, 501, 10000])('refuses first: %i on every list', async (first) => {
    const mentions = [`first ${first}`, '500'];
    await refused(`query($n: Int) { contacts(first: $n) { edges { cursor } } }`, { n: first }, { code: 'BAD_USER_INPUT', mentions });
    await refused(`query($n: Int) { documents(first: $n) { edges { cursor } } }`, { n: first }, { code: 'BAD_USER_INPUT', mentions });
    await refused(`query($n: Int) { events(first: $n) { edges { cursor } } }`, { n: first }, { code: 'BAD_USER_INPUT', mentions });
    await refused(`query($id: ID!, $n: Int) { contact(id: $id) { folders(first: $n) { edges { cursor } } } }`, { id: f.contact, n: first }, {
      code: 'BAD_USER_INPUT',
      mentions,
    });
  });

  it('refuses a malformed cursor, and the cursor of another kind of list', async () => {
    const { events } = await t.ok(`{ events(first: 1) { pageInfo { endCursor } } }`);
    const { contacts } = await t.ok(`{ contacts(first: 1) { pageInfo { endCursor } } }`);
    await refused(`{ contacts(after: "not-a-cursor") { edges { cursor } } }`, undefined, { code: 'BAD_USER_INPUT', mentions: ['after "not-a-cursor"'] });
    await refused(`query($a: String) { contacts(after: $a) { edges { cursor } } }`, { a: events.pageInfo.endCursor }, {
      code: 'BAD_USER_INPUT',
      mentions: [`after "${events.pageInfo.endCursor}"`],
    });
    await refused(`query($a: String) { events(after: $a) { edges { cursor } } }`, { a: contacts.pageInfo.endCursor }, {
      code: 'BAD_USER_INPUT',
      mentions: [`after "${contacts.pageInfo.endCursor}"`],
    });
    const beyond = Buffer.from('99999999999999999999:1').toString('base64url');
    await refused(`query($a: String) { events(after: $a) { edges { cursor } } }`, { a: beyond }, { code: 'BAD_USER_INPUT', mentions: [beyond] });
  });
});

describe('the lifecycle', () => {
  it('refuses a move the table forbids, naming both statuses', async () => {
    const res = await refused(`mutation($id: ID!) { setDocumentStatus(id: $id, status: APPROVED) { id } }`, { id: f.fresh }, {
      code: 'BAD_USER_INPUT',
      mentions: ['from NEW to APPROVED'],
    });
    expect(res.errors![0]!.extensions).toMatchObject({ from: 'NEW', to: 'APPROVED' });
    await refused(`mutation($id: ID!) { setDocumentStatus(id: $id, status: NEW) { id } }`, { id: f.archived }, {
      code: 'BAD_USER_INPUT',
      mentions: ['from ARCHIVED to NEW', 'ARCHIVED is final'],
    });
  });

  it.each([
    ['APPROVED', () => f.approved],
    ['EXPORT', () => f.exported],
    ['ARCHIVED', () => f.archived],
  ])('refuses an edit of a %s document', async (s, id) => {
    await refused(`mutation($id: ID!) { updateDocument(id: $id, input: { docType: "Changed" }) { id } }`, { id: id() }, {
      code: 'BAD_USER_INPUT',
      mentions: [`Document ${id()}`, s, 'locked'],
    });
    await refused(`mutation($id: ID!) { recordExtraction(id: $id, input: { confidenceScore: 10 }) { id } }`, { id: id() }, {
      code: 'BAD_USER_INPUT',
      mentions: [`Document ${id()} is ${s}`],
    });
  });

  it('refuses to export a document that is not approved', async () => {
    await refused(`mutation($id: ID!) { exportDocument(id: $id) { id } }`, { id: f.fresh }, { code: 'BAD_USER_INPUT', mentions: [`Document ${f.fresh} is NEW`, 'APPROVED'] });
  });
});

describe('contacts and folders', () => {
  it.each([
    ['createContact', `mutation { createContact(input: { name: "   ", type: CLIENT }) { id } }`],
    ['updateContact', `mutation { updateContact(id: 1, input: { name: "" }) { id } }`],
    ['createFolder', `mutation { createFolder(input: { contactId: 1, name: " " }) { id } }`],
    ['updateFolder', `mutation { updateFolder(id: 1, input: { name: "\\t" }) { id } }`],
    ['createExtractionProfile', `mutation { createExtractionProfile(input: { name: "", fieldLabels: ["A"] }) { id } }`],
    ['createDocument', `mutation { createDocument(input: { folderId: 1, filename: "  " }) { id } }`],
  ])('%s refuses a blank name', async (_, query) => {
    await refused(query, undefined, { code: 'BAD_USER_INPUT', mentions: ['must not be blank'] });
  });

  it.each(['nope', 'a@', '@b.example', 'a b@c.example', 'a@b@c.example'])('refuses the email %j', async (email) => {
    await refused(`mutation($e: String) { createContact(input: { name: "Mail", type: CLIENT, email: $e }) { id } }`, { e: email }, {
      code: 'BAD_USER_INPUT',
      mentions: [`email ${JSON.stringify(email)}`],
    });
    await refused(`mutation($id: ID!, $e: String) { updateContact(id: $id, input: { email: $e }) { id } }`, { id: f.contact, e: email }, {
      code: 'BAD_USER_INPUT',
      mentions: [`email ${JSON.stringify(email)}`],
    });
  });

  it('refuses a parent that would make a cycle, naming both contacts', async () => {
    await refused(`mutation($id: ID!, $p: ID) { updateContact(id: $id, input: { parentId: $p }) { id } }`, { id: f.contact, p: f.grandchild }, {
      code: 'BAD_USER_INPUT',
      mentions: [`Contact ${f.grandchild}`, `contact ${f.contact}`, 'cycle'],
    });
    await refused(`mutation($id: ID!) { updateContact(id: $id, input: { parentId: $id }) { id } }`, { id: f.child }, {
      code: 'BAD_USER_INPUT',
      mentions: [`Contact ${f.child} cannot be the parent of contact ${f.child}`],
    });
  });

  it('refuses a bad enum value, in the query or as a variable', async () => {
    await refused(`mutation { createContact(input: { name: "X", type: BOSS }) { id } }`, undefined, { code: 'BAD_USER_INPUT', mentions: ['"BOSS"', 'ContactType'], http: 400 });
    await refused(`mutation($t: ContactType!) { createContact(input: { name: "X", type: $t }) { id } }`, { t: 'BOSS' }, {
      code: 'BAD_USER_INPUT',
      mentions: ['"BOSS"'],
      http: 400,
    });
  });

  it('refuses two labels of one profile that give the same key', async () => {
    await refused(`mutation { createExtractionProfile(input: { name: "Dup", fieldLabels: ["Invoice Number", "invoice-number"] }) { id } }`, undefined, {
      code: 'BAD_USER_INPUT',
      mentions: ['"Invoice Number"', '"invoice-number"', 'invoice_number'],
    });
  });
});

describe('documents', () => {
  it.each([101, -1, 1000])('refuses the confidence score %i', async (score) => {
    await refused(`mutation($id: ID!, $s: Int!) { recordExtraction(id: $id, input: { confidenceScore: $s }) { id } }`, { id: f.fresh, s: score }, {
      code: 'BAD_USER_INPUT',
      mentions: [`confidenceScore ${score}`, '0–100'],
    });
  });

  it.each(['2025-02-30', '2025-13-01', 'yesterday', '15/11/2025', '2025-1-5'])('refuses the doc date %j, as a variable and in the query', async (date) => {
    const mentions = [`Date ${JSON.stringify(date)}`];
    await refused(`mutation($id: ID!, $d: Date) { recordExtraction(id: $id, input: { confidenceScore: 50, docDate: $d }) { id } }`, { id: f.fresh, d: date }, {
      code: 'BAD_USER_INPUT',
      mentions,
      http: 400,
    });
    await refused(`mutation($id: ID!) { recordExtraction(id: $id, input: { confidenceScore: 50, docDate: ${JSON.stringify(date)} }) { id } }`, { id: f.fresh }, {
      code: 'BAD_USER_INPUT',
      mentions,
      http: 400,
    });
    await refused(`mutation($id: ID!, $d: Date) { updateDocument(id: $id, input: { docDate: $d }) { id } }`, { id: f.fresh, d: date }, {
      code: 'BAD_USER_INPUT',
      mentions,
      http: 400,
    });
  });

  it('refuses an updatedSince that is not an instant, as a variable and in the query', async () => {
    await refused(`query($d: DateTime) { documents(filter: { updatedSince: $d }) { edges { cursor } } }`, { d: 'yesterday' }, {
      code: 'BAD_USER_INPUT',
      mentions: ['yesterday'],
      http: 400,
    });
    await refused(`{ documents(filter: { updatedSince: "2025-02-30T00:00:00Z" }) { edges { cursor } } }`, undefined, {
      code: 'BAD_USER_INPUT',
      mentions: ['2025-02-30T00:00:00Z'],
      http: 400,
    });
  });

  it('refuses line items whose numbers are not numbers, as variables and in the query', async () => {
    const items = [{ description: 'Consulting', quantity: 'two', unitPrice: 1500, amount: 3000 }];
    await refused(`mutation($id: ID!, $l: [LineItemInput!]) { recordExtraction(id: $id, input: { confidenceScore: 50, lineItems: $l }) { id } }`, { id: f.fresh, l: items }, {
      code: 'BAD_USER_INPUT',
      mentions: ['"two"', 'quantity'],
      http: 400,
    });
    await refused(
      `mutation($id: ID!) { updateDocument(id: $id, input: { lineItems: [{ description: "x", quantity: 1, unitPrice: "1.5", amount: 1 }] }) { id } }`,
      { id: f.fresh },
      { code: 'BAD_USER_INPUT', mentions: ['"1.5"'], http: 400 },
    );
    await refused(`mutation($id: ID!, $l: [LineItemInput!]) { updateDocument(id: $id, input: { lineItems: $l }) { id } }`, {
      id: f.fresh,
      l: [{ description: 'x', quantity: 1, unitPrice: 1, amount: null }],
    }, { code: 'BAD_USER_INPUT', mentions: ['amount'], http: 400 });
  });

  it.each([['"abc"'], ['[1, 2]'], ['5'], ['true']])('refuses externalRefs %s', async (value) => {
    await refused(`mutation($f: ID!) { createDocument(input: { folderId: $f, filename: "x.pdf", externalRefs: ${value} }) { id } }`, { f: f.documents }, {
      code: 'BAD_USER_INPUT',
      mentions: ['externalRefs must be a JSON object', JSON.stringify(JSON.parse(value))],
    });
    await refused(`mutation($id: ID!, $r: JSON) { updateDocument(id: $id, input: { externalRefs: $r }) { id } }`, { id: f.fresh, r: JSON.parse(value) }, {
      code: 'BAD_USER_INPUT',
      mentions: ['externalRefs must be a JSON object'],
    });
  });

  it('refuses extracted fields that are not an object, not in the profile, or not plain values', async () => {
    const extract = `mutation($id: ID!, $f: JSON) { recordExtraction(id: $id, input: { confidenceScore: 50, fields: $f }) { id } }`;
    await refused(extract, { id: f.fresh, f: ['Invoice Number'] }, { code: 'BAD_USER_INPUT', mentions: ['fields must be a JSON object'] });
    await refused(extract, { id: f.fresh, f: { 'PO Number': 'PO-1' } }, { code: 'BAD_USER_INPUT', mentions: ['fields.PO Number', '"Invoice"', 'invoice_number'] });
    await refused(extract, { id: f.fresh, f: { Total: { amount: 1 } } }, { code: 'BAD_USER_INPUT', mentions: ['fields.Total', '{"amount":1}'] });
  });

  it('refuses a folder of another contact', async () => {
    await refused(`mutation($id: ID!, $f: ID!) { updateDocument(id: $id, input: { folderId: $f }) { id } }`, { id: f.fresh, f: f.otherContactFolder }, {
      code: 'BAD_USER_INPUT',
      mentions: [`Folder ${f.otherContactFolder}`, `document ${f.fresh}`],
    });
  });
});

describe('sizes and shapes', () => {
  it('refuses strings past their documented limits', async () => {
    const long = (n: number) => 'x'.repeat(n);
    await refused(`mutation($n: String!) { createContact(input: { name: $n, type: CLIENT }) { id } }`, { n: long(LIMITS.name + 1) }, {
      code: 'BAD_USER_INPUT',
      mentions: [`name is ${LIMITS.name + 1} characters long`, `limit is ${LIMITS.name}`],
    });
    await refused(`mutation($n: String) { createContact(input: { name: "N", type: CLIENT, notes: $n }) { id } }`, { n: long(LIMITS.notes + 1) }, {
      code: 'BAD_USER_INPUT',
      mentions: [`notes is ${LIMITS.notes + 1} characters long`],
    });
    await refused(`mutation($f: ID!, $n: String!) { createDocument(input: { folderId: $f, filename: $n }) { id } }`, { f: f.documents, n: long(LIMITS.filename + 1) }, {
      code: 'BAD_USER_INPUT',
      mentions: [`filename is ${LIMITS.filename + 1} characters long`],
    });
    await refused(`mutation($id: ID!, $s: String) { recordExtraction(id: $id, input: { confidenceScore: 1, aiSummary: $s }) { id } }`, { id: f.fresh, s: long(LIMITS.aiSummary + 1) }, {
      code: 'BAD_USER_INPUT',
      mentions: [`aiSummary is ${LIMITS.aiSummary + 1} characters long`],
    });
    await refused(`mutation($id: ID!, $r: JSON) { updateDocument(id: $id, input: { externalRefs: $r }) { id } }`, { id: f.fresh, r: { blob: long(LIMITS.externalRefsBytes) } }, {
      code: 'BAD_USER_INPUT',
      mentions: ['externalRefs is', `limit is ${LIMITS.externalRefsBytes}`],
    });
    const items = Array.from({ length: LIMITS.lineItems + 1 }, () => ({ description: 'x', quantity: 1, unitPrice: 1, amount: 1 }));
    await refused(`mutation($id: ID!, $l: [LineItemInput!]) { updateDocument(id: $id, input: { lineItems: $l }) { id } }`, { id: f.fresh, l: items }, {
      code: 'BAD_USER_INPUT',
      mentions: [`lineItems has ${LIMITS.lineItems + 1} rows`],
    });
  });

  it('refuses a 150 KB name by its length limit', async () => {
    await refused(`mutation($n: String!) { createContact(input: { name: $n, type: CLIENT }) { id } }`, { n: 'n'.repeat(150 * 1024) }, {
      code: 'BAD_USER_INPUT',
      mentions: [`name is ${150 * 1024} characters long`],
    });
  });

  it('refuses a body over 1 MB with HTTP 413 and a JSON error, storing nothing', async () => {
    const before = await fingerprint();
    const body = JSON.stringify({
      query: `mutation($n: String!) { createContact(input: { name: $n, type: CLIENT }) { id } }`,
      variables: { n: 'n'.repeat(1024 * 1024) },
    });
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` }, body });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const json = (await res.json()) as GraphQLResponse;
    expect(json.errors?.[0]).toMatchObject({ extensions: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(json.errors?.[0]?.message).toContain(`${1024 * 1024} bytes`);
    expect(await fingerprint()).toBe(before);
  });

  it('refuses a query nested deeper than GRAPHQL_MAX_DEPTH, naming its depth', async () => {
    const nest = (levels: number) => `${'parent { '.repeat(levels)}id${' }'.repeat(levels)}`;
    // contact { parent × 10 { id } } is 11 levels deep; with 9 parents it is 10, the limit.
    await refused(`query Deep { contact(id: 1) { ${nest(10)} } }`, undefined, {
      code: 'GRAPHQL_VALIDATION_FAILED',
      mentions: ['"Deep"', '11 levels', 'limit is 10'],
      http: 400,
    });
    await refused(`{ contact(id: 1) { ...P } } fragment P on Contact { ${nest(10)} }`, undefined, {
      code: 'GRAPHQL_VALIDATION_FAILED',
      mentions: ['11 levels'],
      http: 400,
    });
    const atLimit = await t.gql(`{ contact(id: 1) { ${nest(9)} } }`);
    expect(atLimit.errors).toBeUndefined();
  });

  it('answers an unknown fragment or a fragment cycle with a validation error, not a 500', async () => {
    await refused(`{ ...Missing }`, undefined, { code: 'GRAPHQL_VALIDATION_FAILED', mentions: ['"Missing"'], http: 400 });
    await refused(`{ contacts { ...A } } fragment A on ContactConnection { ...B } fragment B on ContactConnection { ...A }`, undefined, {
      code: 'GRAPHQL_VALIDATION_FAILED',
      mentions: ['"A"'],
      http: 400,
    });
  });
});
