import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentStatus } from '../../src/domain/documents/lifecycle.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { README_LIFECYCLE, README_STATUSES } from '../helpers/lifecycle-table.js';

let t: TestApp;
let db: pg.Client;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await t.stop();
});

const DOC_FIELDS = `id status filename originalFilename source docType docDate aiSummary confidenceScore confidenceLabel confidenceReasoning
  extractedFields lineItems { description quantity unitPrice amount } externalRefs docUrl statusChangedAt createdAt updatedAt
  contact { id name } folder { id name } profile { id name }`;

async function contactWithFolders(name: string, extra: Record<string, unknown> = {}) {
  const { createContact } = await t.ok(
    `mutation($input: CreateContactInput!) { createContact(input: $input) { id name folders { edges { node { id name } } } } }`,
    { input: { name, type: 'CLIENT', ...extra } },
  );
  const folders = createContact.folders.edges.map((e: { node: { id: string; name: string } }) => e.node);
  return { id: createContact.id as string, documents: folders[0].id as string, review: folders[1].id as string };
}

async function newDocument(folderId: string, input: Record<string, unknown> = {}) {
  const { createDocument } = await t.ok(`mutation($input: CreateDocumentInput!) { createDocument(input: $input) { ${DOC_FIELDS} } }`, {
    input: { folderId, filename: 'invoice.pdf', ...input },
  });
  return createDocument;
}

async function setStatus(id: string, status: DocumentStatus) {
  const { setDocumentStatus } = await t.ok(`mutation($id: ID!, $s: DocumentStatus!) { setDocumentStatus(id: $id, status: $s) { id status statusChangedAt } }`, {
    id,
    s: status,
  });
  return setDocumentStatus;
}

async function extract(id: string, input: Record<string, unknown>) {
  const { recordExtraction } = await t.ok(`mutation($id: ID!, $input: ExtractionInput!) { recordExtraction(id: $id, input: $input) { ${DOC_FIELDS} } }`, {
    id,
    input,
  });
  return recordExtraction;
}

/** The shortest way from NEW to a status along the lifecycle table. */
function pathTo(target: DocumentStatus): DocumentStatus[] {
  const previous = new Map<DocumentStatus, DocumentStatus>();
  const queue: DocumentStatus[] = ['NEW'];
  while (queue.length) {
    const at = queue.shift()!;
    for (const next of README_LIFECYCLE[at]) {
      if (next !== 'NEW' && !previous.has(next)) {
        previous.set(next, at);
        queue.push(next);
      }
    }
  }
  const path: DocumentStatus[] = [];
  for (let s = target; s !== 'NEW'; s = previous.get(s)!) path.unshift(s);
  return path;
}

async function statusChangedAt(id: string): Promise<Date> {
  const { rows } = await db.query<{ status_changed_at: Date }>('select status_changed_at from documents where id = $1', [id]);
  return rows[0]!.status_changed_at;
}

async function pageThrough(query: string, pick: (data: any) => any, pageSize: number, variables: Record<string, unknown> = {}) {
  const ids: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const conn: any = pick(await t.ok(query, { ...variables, first: pageSize, after }));
    pages++;
    expect(conn.edges.length).toBeLessThanOrEqual(pageSize);
    if (conn.edges.length) expect(conn.pageInfo.endCursor).toBe(conn.edges[conn.edges.length - 1].cursor);
    ids.push(...conn.edges.map((e: { node: { id: string } }) => e.node.id));
    if (!conn.pageInfo.hasNextPage) break;
    after = conn.pageInfo.endCursor;
  }
  return { ids, pages };
}

describe('contacts, folders and profiles', () => {
  it('gives a new contact two folders, Documents and Review, and records the three events', async () => {
    const { createContact } = await t.ok(
      `mutation { createContact(input: { name: "  Acme Corporation ", type: CLIENT, email: "ap@acme.example", phone: "+1 555 0100", notes: "Net 30" }) {
        id name type email phone notes parent { id } defaultProfile { id } createdAt updatedAt folders { edges { node { id name contact { id } } } } } }`,
    );
    expect(createContact).toMatchObject({ name: 'Acme Corporation', type: 'CLIENT', email: 'ap@acme.example', phone: '+1 555 0100', notes: 'Net 30', parent: null, defaultProfile: null });
    expect(createContact.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(createContact.folders.edges.map((e: any) => e.node.name)).toEqual(['Documents', 'Review']);
    expect(createContact.folders.edges.every((e: any) => e.node.contact.id === createContact.id)).toBe(true);
    const { rows } = await db.query<{ type: string; entity_id: string }>(
      `select type, entity_id::text from events where (channel = 'CONTACT' and entity_id = $1) or (channel = 'FOLDER' and payload->>'contact_id' = $2) order by seq`,
      [createContact.id, createContact.id],
    );
    expect(rows.map((r) => r.type)).toEqual(['contact.created', 'folder.created', 'folder.created']);
  });

  it('keeps a parent and a default profile, and updates them', async () => {
    const { createExtractionProfile: profile } = await t.ok(`mutation { createExtractionProfile(input: { name: "Invoices", fieldLabels: ["Vendor"] }) { id } }`);
    const parent = await contactWithFolders('Holding Group');
    const child = await contactWithFolders('Subsidiary', { parentId: parent.id, defaultProfileId: profile.id });
    const { contact } = await t.ok(`query($id: ID!) { contact(id: $id) { parent { id name } defaultProfile { id name } } }`, { id: child.id });
    expect(contact).toEqual({ parent: { id: parent.id, name: 'Holding Group' }, defaultProfile: { id: profile.id, name: 'Invoices' } });
    const { updateContact } = await t.ok(
      `mutation($id: ID!) { updateContact(id: $id, input: { parentId: null, defaultProfileId: null, type: VENDOR }) { type parent { id } defaultProfile { id } } }`,
      { id: child.id },
    );
    expect(updateContact).toEqual({ type: 'VENDOR', parent: null, defaultProfile: null });
  });

  it('creates, renames and lists folders', async () => {
    const c = await contactWithFolders('Folder Owner');
    const { createFolder } = await t.ok(`mutation($c: ID!) { createFolder(input: { name: "Archive 2025", contactId: $c }) { id name contact { id } } }`, { c: c.id });
    expect(createFolder).toMatchObject({ name: 'Archive 2025', contact: { id: c.id } });
    const { updateFolder } = await t.ok(`mutation($id: ID!) { updateFolder(id: $id, input: { name: "Archive" }) { id name } }`, { id: createFolder.id });
    expect(updateFolder.name).toBe('Archive');
    const { folders } = await t.ok(`query($c: ID) { folders(contactId: $c) { edges { node { name } } } }`, { c: c.id });
    expect(folders.edges.map((e: any) => e.node.name)).toEqual(['Documents', 'Review', 'Archive']);
    const { folder } = await t.ok(`query($id: ID!) { folder(id: $id) { name contact { id } } }`, { id: createFolder.id });
    expect(folder).toEqual({ name: 'Archive', contact: { id: c.id } });
  });

  it('keys the fields of an extraction profile by the snake_case of their labels', async () => {
    const { createExtractionProfile } = await t.ok(
      `mutation { createExtractionProfile(input: { name: "Invoice", fieldLabels: ["Invoice Number", "Total (incl. VAT)", "dueDate"] }) { id name fields { label key } createdAt } }`,
    );
    expect(createExtractionProfile.fields).toEqual([
      { label: 'Invoice Number', key: 'invoice_number' },
      { label: 'Total (incl. VAT)', key: 'total_incl_vat' },
      { label: 'dueDate', key: 'due_date' },
    ]);
    const { extractionProfiles } = await t.ok(`{ extractionProfiles { id } }`);
    expect(extractionProfiles.map((p: { id: string }) => p.id)).toContain(createExtractionProfile.id);
  });
});

describe('documents', () => {
  it('takes its contact from the folder and its profile from the contact, unless one is given', async () => {
    const { createExtractionProfile: byDefault } = await t.ok(`mutation { createExtractionProfile(input: { name: "Default", fieldLabels: ["A"] }) { id } }`);
    const { createExtractionProfile: other } = await t.ok(`mutation { createExtractionProfile(input: { name: "Other", fieldLabels: ["B"] }) { id } }`);
    const withDefault = await contactWithFolders('Has Default', { defaultProfileId: byDefault.id });
    const without = await contactWithFolders('No Default');

    const doc = await newDocument(withDefault.review, { originalFilename: 'Scan 001.PDF', source: 'EMAIL', externalRefs: { crm: { id: 'X-1' } } });
    expect(doc).toMatchObject({
      status: 'NEW',
      filename: 'invoice.pdf',
      originalFilename: 'Scan 001.PDF',
      source: 'EMAIL',
      contact: { id: withDefault.id, name: 'Has Default' },
      folder: { id: withDefault.review, name: 'Review' },
      profile: { id: byDefault.id },
      externalRefs: { crm: { id: 'X-1' } },
      extractedFields: {},
      lineItems: [],
      confidenceScore: null,
      confidenceLabel: null,
    });
    expect((await newDocument(withDefault.documents, { profileId: other.id })).profile).toEqual({ id: other.id, name: 'Other' });
    const plain = await newDocument(without.documents);
    expect(plain).toMatchObject({ profile: null, source: 'API', originalFilename: 'invoice.pdf', externalRefs: {} });
  });

  it('stores an extraction by snake_case key, whether the label or the key was sent, and moves to NEEDS_REVIEW', async () => {
    const { createExtractionProfile: profile } = await t.ok(
      `mutation { createExtractionProfile(input: { name: "Inv", fieldLabels: ["Invoice Number", "Total Amount", "Vendor Name"] }) { id } }`,
    );
    const c = await contactWithFolders('Extraction Co', { defaultProfileId: profile.id });
    const doc = await newDocument(c.documents);
    const extracted = await extract(doc.id, {
      docType: 'Invoice',
      docDate: '2025-11-15',
      aiSummary: 'Invoice for consulting',
      confidenceScore: 87,
      confidenceReasoning: 'All fields found',
      fields: { 'Invoice Number': 'INV-1', total_amount: 18500.5, 'vendor name': 'Acme' },
      lineItems: [{ description: 'Consulting', quantity: 10, unitPrice: 1500, amount: 15000 }],
    });
    expect(extracted).toMatchObject({
      status: 'NEEDS_REVIEW',
      docType: 'Invoice',
      docDate: '2025-11-15',
      aiSummary: 'Invoice for consulting',
      confidenceScore: 87,
      confidenceLabel: 'GOOD',
      confidenceReasoning: 'All fields found',
      extractedFields: { invoice_number: 'INV-1', total_amount: 18500.5, vendor_name: 'Acme' },
      lineItems: [{ description: 'Consulting', quantity: 10, unitPrice: 1500, amount: 15000 }],
    });
    const again = await extract(doc.id, { confidenceScore: 95, fields: { 'Invoice Number': 'INV-2' } });
    expect(again).toMatchObject({ status: 'NEEDS_REVIEW', confidenceLabel: 'HIGH', extractedFields: { invoice_number: 'INV-2' }, docType: null });
  });

  it('edits a document that is not locked, merging fields and moving it between folders of its contact', async () => {
    const c = await contactWithFolders('Edit Co');
    const doc = await newDocument(c.documents);
    await extract(doc.id, { confidenceScore: 60, fields: { 'PO Number': 'PO-7', Currency: 'EUR' } });
    const { updateDocument } = await t.ok(
      `mutation($id: ID!, $input: UpdateDocumentInput!) { updateDocument(id: $id, input: $input) { ${DOC_FIELDS} } }`,
      {
        id: doc.id,
        input: {
          docType: 'Receipt',
          docDate: '2024-02-29',
          aiSummary: 'Corrected',
          fields: { currency: 'USD', 'PO Number': null, 'Cost Center': 'CC-1' },
          lineItems: [{ description: 'Taxi', quantity: 1, unitPrice: 23.5, amount: 23.5 }],
          externalRefs: { erp: 'E-9' },
          folderId: c.review,
        },
      },
    );
    expect(updateDocument).toMatchObject({
      status: 'NEEDS_REVIEW',
      docType: 'Receipt',
      docDate: '2024-02-29',
      aiSummary: 'Corrected',
      extractedFields: { currency: 'USD', cost_center: 'CC-1' },
      lineItems: [{ description: 'Taxi', quantity: 1, unitPrice: 23.5, amount: 23.5 }],
      externalRefs: { erp: 'E-9' },
      folder: { id: c.review, name: 'Review' },
    });
  });

  it('merges concurrent field edits of one document without losing any, under its row lock', async () => {
    const c = await contactWithFolders('Merge Co');
    const doc = await newDocument(c.documents);
    const edits = Array.from({ length: 24 }, (_, i) => i);
    await Promise.all(
      edits.map((i) => t.ok(`mutation($id: ID!, $f: JSON) { updateDocument(id: $id, input: { fields: $f }) { id } }`, { id: doc.id, f: { [`Field ${i}`]: i } })),
    );
    const { document } = await t.ok(`query($id: ID!) { document(id: $id) { extractedFields } }`, { id: doc.id });
    expect(document.extractedFields).toEqual(Object.fromEntries(edits.map((i) => [`field_${i}`, i])));
  });

  it('moves updatedAt only when an edit changes a value, and reads back what it wrote', async () => {
    const c = await contactWithFolders('Same Co');
    const doc = await newDocument(c.documents, { externalRefs: { erp: 'E-1' } });
    const update = (input: Record<string, unknown>) =>
      t.ok(`mutation($id: ID!, $input: UpdateDocumentInput!) { updateDocument(id: $id, input: $input) { ${DOC_FIELDS} } }`, { id: doc.id, input });
    // The API gives whole seconds; the column keeps microseconds.
    const updatedAt = async () => (await db.query<{ t: Date }>('select updated_at as t from documents where id = $1', [doc.id])).rows[0]!.t;
    const created = await updatedAt();
    const first = (await update({ docType: 'Invoice', fields: { Total: 12.5 } })).updateDocument;
    const changed = await updatedAt();
    expect(changed.getTime()).toBeGreaterThan(created.getTime());
    const same = (await update({ docType: 'Invoice', fields: { Total: 12.5 }, externalRefs: { erp: 'E-1' } })).updateDocument;
    expect(same).toEqual(first);
    expect(await updatedAt()).toEqual(changed);
    const read = await t.ok(`query($id: ID!) { document(id: $id) { ${DOC_FIELDS} } }`, { id: doc.id });
    expect(read.document).toEqual(first);
  });

  it('keeps editing documents after a migration adds a column, on connections that prepared the edit before', async () => {
    const c = await contactWithFolders('Migrated Co');
    const doc = await newDocument(c.documents);
    const edit = (summary: string) => t.ok(`mutation($id: ID!, $s: String) { updateDocument(id: $id, input: { aiSummary: $s }) { aiSummary } }`, { id: doc.id, s: summary });
    for (let i = 0; i < 4; i++) await edit(`before ${i}`);
    await db.query('alter table documents add column added_later text null');
    try {
      expect((await edit('after')).updateDocument).toEqual({ aiSummary: 'after' });
    } finally {
      await db.query('alter table documents drop column added_later');
    }
  });

  it('follows every move of the lifecycle table, and a move to EXPORT fires document.exported', async () => {
    const c = await contactWithFolders('Lifecycle Co');
    const edges = README_STATUSES.flatMap((from) => README_LIFECYCLE[from].map((to) => ({ from, to })));
    const created = await t.ok(
      `mutation($f: ID!) { ${edges.map((_, i) => `d${i}: createDocument(input: { folderId: $f, filename: "walk-${i}.pdf" }) { id }`).join(' ')} }`,
      { f: c.documents },
    );
    for (const [i, { from, to }] of edges.entries()) {
      // Mutation fields run one after another: the walk to `from`, then the move under test.
      const steps = [...pathTo(from), to];
      const data = await t.ok(
        `mutation($id: ID!) { ${steps.map((s, j) => `s${j}: setDocumentStatus(id: $id, status: ${s}) { status }`).join(' ')} }`,
        { id: created[`d${i}`].id },
      );
      expect(steps.map((_, j) => data[`s${j}`].status)).toEqual(steps);
    }
    const { rows } = await db.query<{ n: string }>(`select count(*) as n from events where type = 'document.exported' and payload->>'contact_id' = $1`, [c.id]);
    // One event per move into EXPORT: the documents whose walk passed through it.
    const intoExport = edges.filter(({ from, to }) => pathTo(from).concat(to).includes('EXPORT')).length;
    expect(Number(rows[0]!.n)).toBe(intoExport);
  });

  it('refuses every move the lifecycle table does not list, naming both statuses, and keeps the status', async () => {
    const c = await contactWithFolders('Forbidden Moves Co');
    const docs = new Map<DocumentStatus, string>();
    await Promise.all(
      README_STATUSES.map(async (from) => {
        const doc = await newDocument(c.documents);
        const steps = pathTo(from);
        if (steps.length) await t.ok(`mutation($id: ID!) { ${steps.map((s, j) => `s${j}: setDocumentStatus(id: $id, status: ${s}) { status }`).join(' ')} }`, { id: doc.id });
        docs.set(from, doc.id);
      }),
    );
    const forbidden = README_STATUSES.flatMap((from) => README_STATUSES.filter((to) => to !== from && !README_LIFECYCLE[from].includes(to)).map((to) => ({ from, to })));
    // Refusals write nothing, so they can all be sent at once.
    const refused = await Promise.all(
      forbidden.map(async ({ from, to }) => {
        const res = await t.gql(`mutation($id: ID!, $s: DocumentStatus!) { setDocumentStatus(id: $id, status: $s) { status } }`, { id: docs.get(from), s: to });
        const [error] = res.errors ?? [];
        return error?.extensions?.code === 'BAD_USER_INPUT' && error.message.includes(`from ${from} to ${to}`);
      }),
    );
    expect(forbidden.filter((_, i) => !refused[i])).toEqual([]);
    const { rows } = await db.query<{ id: string; status: string }>('select id::text, status from documents where id = any($1::int[])', [[...docs.values()]]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual(Object.fromEntries([...docs].map(([status, id]) => [id, status])));
  });

  it('exports an APPROVED document, and exports an exported one again', async () => {
    const c = await contactWithFolders('Export Co');
    const doc = await newDocument(c.documents);
    await extract(doc.id, { confidenceScore: 91 });
    await setStatus(doc.id, 'READY');
    await setStatus(doc.id, 'APPROVED');
    const first = await t.ok(`mutation($id: ID!) { exportDocument(id: $id) { status } }`, { id: doc.id });
    const second = await t.ok(`mutation($id: ID!) { exportDocument(id: $id) { status } }`, { id: doc.id });
    expect([first.exportDocument.status, second.exportDocument.status]).toEqual(['EXPORT', 'EXPORT']);
    const { rows } = await db.query<{ status: string }>(`select payload->>'status' as status from events where type = 'document.exported' and entity_id = $1`, [doc.id]);
    expect(rows).toEqual([{ status: 'Export' }, { status: 'Export' }]);
  });

  it('derives confidenceLabel from the score at each boundary', async () => {
    const c = await contactWithFolders('Confidence Co');
    const cases: [number, string][] = [
      [100, 'HIGH'],
      [90, 'HIGH'],
      [89, 'GOOD'],
      [75, 'GOOD'],
      [74, 'LOW'],
      [50, 'LOW'],
      [49, 'POOR'],
      [0, 'POOR'],
    ];
    const created = await t.ok(
      `mutation($f: ID!) { ${cases.map((_, i) => `d${i}: createDocument(input: { folderId: $f, filename: "score-${i}.pdf" }) { id }`).join(' ')} }`,
      { f: c.documents },
    );
    const scored = await t.ok(
      `mutation { ${cases.map(([score], i) => `d${i}: recordExtraction(id: ${created[`d${i}`].id}, input: { confidenceScore: ${score} }) { confidenceScore confidenceLabel }`).join(' ')} }`,
    );
    expect(cases.map((_, i) => [scored[`d${i}`].confidenceScore, scored[`d${i}`].confidenceLabel])).toEqual(cases);
  });

  it('gives the deep link of the document as docUrl', async () => {
    const c = await contactWithFolders('Link Co');
    const doc = await newDocument(c.documents);
    expect(doc.docUrl).toBe(`${t.url}/api/document/${doc.id}/view`);
  });

  it('moves statusChangedAt with the status and with nothing else', async () => {
    const c = await contactWithFolders('Clock Co');
    const doc = await newDocument(c.documents);
    const created = await statusChangedAt(doc.id);
    await setStatus(doc.id, 'PROCESSING');
    const processing = await statusChangedAt(doc.id);
    expect(processing.getTime()).toBeGreaterThan(created.getTime());

    await t.ok(`mutation($id: ID!) { updateDocument(id: $id, input: { docType: "Invoice", fields: { a: 1 } }) { id } }`, { id: doc.id });
    await setStatus(doc.id, 'PROCESSING');
    expect(await statusChangedAt(doc.id)).toEqual(processing);

    await extract(doc.id, { confidenceScore: 80 });
    const review = await statusChangedAt(doc.id);
    expect(review.getTime()).toBeGreaterThan(processing.getTime());
    await extract(doc.id, { confidenceScore: 81 });
    expect(await statusChangedAt(doc.id)).toEqual(review);
  });
});

describe('lists', () => {
  it('pages contacts, folders, documents and events with first/after until hasNextPage is false', async () => {
    const c = await contactWithFolders('Paging Co');
    for (let i = 0; i < 3; i++) await t.ok(`mutation($c: ID!, $n: String!) { createFolder(input: { name: $n, contactId: $c }) { id } }`, { c: c.id, n: `Extra ${i}` });
    for (let i = 0; i < 7; i++) await newDocument(c.documents, { filename: `page-${i}.pdf` });

    const all = async (query: string, pick: (d: any) => any, variables: Record<string, unknown> = {}) =>
      (await t.ok(query, { ...variables, first: 500, after: null }).then(pick)).edges.map((e: any) => e.node.id) as string[];

    const contactsQuery = `query($first: Int, $after: String) { contacts(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
    const contactIds = await all(contactsQuery, (d) => d.contacts);
    expect(await pageThrough(contactsQuery, (d) => d.contacts, 2)).toEqual({ ids: contactIds, pages: Math.ceil(contactIds.length / 2) || 1 });
    expect(contactIds).toEqual([...contactIds].sort((a, b) => Number(a) - Number(b)));

    const foldersQuery = `query($c: ID, $first: Int, $after: String) { folders(contactId: $c, first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
    const folderPages = await pageThrough(foldersQuery, (d) => d.folders, 2, { c: c.id });
    expect(folderPages.ids).toHaveLength(5);
    expect(folderPages.pages).toBe(3);

    const docsQuery = `query($f: ID, $first: Int, $after: String) { documents(filter: { folderId: $f }, first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
    const docPages = await pageThrough(docsQuery, (d) => d.documents, 3, { f: c.documents });
    expect(docPages.ids).toHaveLength(7);
    expect(docPages.pages).toBe(3);
    expect(new Set(docPages.ids).size).toBe(7);

    const eventsQuery = `query($first: Int, $after: String) { events(first: $first, after: $after) { edges { cursor node { id cursor } } pageInfo { hasNextPage endCursor } } }`;
    const eventIds = await all(eventsQuery, (d) => d.events);
    const eventPages = await pageThrough(eventsQuery, (d) => d.events, 4);
    expect(eventPages.ids).toEqual(eventIds);
    const { events } = await t.ok(`{ events(first: 2) { edges { cursor node { cursor } } } }`);
    for (const e of events.edges) expect(e.cursor).toBe(e.node.cursor);
  });

  it('gives an empty last page with hasNextPage false and a null endCursor', async () => {
    const { contacts } = await t.ok(`{ contacts(first: 500) { pageInfo { endCursor } } }`);
    const { contacts: after } = await t.ok(`query($a: String) { contacts(after: $a) { edges { cursor } pageInfo { hasNextPage endCursor } } }`, { a: contacts.pageInfo.endCursor });
    expect(after).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('filters documents by status, folder, contact, docType and updatedSince', async () => {
    const a = await contactWithFolders('Filter A');
    const b = await contactWithFolders('Filter B');
    const a1 = await newDocument(a.documents);
    const a2 = await newDocument(a.review);
    const b1 = await newDocument(b.documents);
    await extract(a1.id, { confidenceScore: 90, docType: 'Filter Invoice' });
    await extract(b1.id, { confidenceScore: 90, docType: 'Filter Receipt' });
    const ids = async (filter: Record<string, unknown>) =>
      (await t.ok(`query($f: DocumentFilter) { documents(filter: $f, first: 500) { edges { node { id } } } }`, { f: filter })).documents.edges.map(
        (e: any) => e.node.id,
      );
    expect(await ids({ contactId: a.id })).toEqual([a1.id, a2.id]);
    expect(await ids({ folderId: a.review })).toEqual([a2.id]);
    expect(await ids({ contactId: a.id, status: 'NEEDS_REVIEW' })).toEqual([a1.id]);
    expect(await ids({ contactId: b.id, status: 'NEW' })).toEqual([]);
    expect(await ids({ docType: 'Filter Receipt' })).toEqual([b1.id]);
    const { rows } = await db.query<{ updated_at: Date }>('select updated_at from documents where id = $1', [b1.id]);
    const since = rows[0]!.updated_at;
    const later = await ids({ updatedSince: since.toISOString() });
    expect(later).toContain(b1.id);
    expect(later).not.toContain(a2.id);
    expect(await ids({ updatedSince: new Date(since.getTime() + 60_000).toISOString() })).toEqual([]);
  });

  it('pages nested Contact.folders and Folder.documents', async () => {
    const c = await contactWithFolders('Nested Co');
    for (let i = 0; i < 3; i++) await newDocument(c.documents, { filename: `n-${i}.pdf` });
    const { contact } = await t.ok(
      `query($id: ID!) { contact(id: $id) { folders(first: 1) { edges { node { name documents(first: 2) { edges { node { filename } } pageInfo { hasNextPage endCursor } } } } pageInfo { hasNextPage endCursor } } } }`,
      { id: c.id },
    );
    expect(contact.folders.edges.map((e: any) => e.node.name)).toEqual(['Documents']);
    expect(contact.folders.pageInfo.hasNextPage).toBe(true);
    const docs = contact.folders.edges[0].node.documents;
    expect(docs.edges.map((e: any) => e.node.filename)).toEqual(['n-0.pdf', 'n-1.pdf']);
    expect(docs.pageInfo.hasNextPage).toBe(true);

    const rest = await t.ok(
      `query($id: ID!, $f: ID!, $fa: String, $da: String) { contact(id: $id) { folders(after: $fa) { edges { node { name } } pageInfo { hasNextPage } } }
        folder(id: $f) { documents(after: $da) { edges { node { filename } } pageInfo { hasNextPage } } } }`,
      { id: c.id, f: c.documents, fa: contact.folders.pageInfo.endCursor, da: docs.pageInfo.endCursor },
    );
    expect(rest.folder.documents).toEqual({ edges: [{ node: { filename: 'n-2.pdf' } }], pageInfo: { hasNextPage: false } });
    expect(rest.contact.folders).toEqual({ edges: [{ node: { name: 'Review' } }], pageInfo: { hasNextPage: false } });
  });
});
