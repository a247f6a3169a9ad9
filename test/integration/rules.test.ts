import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { purgeExecutions } from '../../src/rules/executions.js';
import { TestReceiver } from '../helpers/receiver.js';
import { sql } from '../helpers/webhooks.js';

let t: TestApp;
let receiver: TestReceiver;

const RULE_FIELDS = `id name enabled trigger intervalMinutes profile { id } contact { id } conditions { field operator value }
  action { type status folder { id } } lastRunAt nextRunAt`;

async function profile(name: string, fieldLabels = ['Vendor', 'Invoice Number', 'Total Amount']): Promise<string> {
  const { createExtractionProfile } = await t.ok(`mutation($i: CreateExtractionProfileInput!) { createExtractionProfile(input: $i) { id } }`, {
    i: { name, fieldLabels },
  });
  return createExtractionProfile.id;
}

async function contact(name: string): Promise<{ id: string; documents: string; review: string }> {
  const { createContact } = await t.ok(`mutation($n: String!) { createContact(input: { name: $n, type: CLIENT }) { id folders { edges { node { id name } } } } }`, {
    n: name,
  });
  const folders = createContact.folders.edges.map((e: { node: { id: string; name: string } }) => e.node);
  return { id: createContact.id, documents: folders.find((f: { name: string }) => f.name === 'Documents').id, review: folders.find((f: { name: string }) => f.name === 'Review').id };
}

async function createRule(input: Record<string, unknown>) {
  const { createRule } = await t.ok(`mutation($i: RuleInput!) { createRule(input: $i) { ${RULE_FIELDS} } }`, { i: input });
  return createRule;
}

/** A document through extraction to NEEDS_REVIEW. */
async function extracted(folderId: string, profileId: string, extraction: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
  const { createDocument } = await t.ok(`mutation($f: ID!, $p: ID) { createDocument(input: { folderId: $f, filename: "acme-invoice-nov-2025.pdf", source: UI, profileId: $p }) { id } }`, {
    f: folderId,
    p: profileId,
  });
  await t.ok(`mutation($id: ID!, $i: ExtractionInput!) { recordExtraction(id: $id, input: $i) { id } }`, {
    id: createDocument.id,
    i: { docType: 'Invoice', docDate: '2025-11-15', aiSummary: 'Invoice from Acme', ...extraction, ...extra },
  });
  return createDocument.id;
}

async function setStatus(id: string, status: string) {
  const { setDocumentStatus } = await t.ok(`mutation($id: ID!, $s: DocumentStatus!) { setDocumentStatus(id: $id, status: $s) { id status folder { id } } }`, {
    id,
    s: status,
  });
  return setDocumentStatus as { id: string; status: string; folder: { id: string } };
}

async function documentOf(id: string) {
  const { document } = await t.ok(`query($id: ID!) { document(id: $id) { status folder { id } } }`, { id });
  return document as { status: string; folder: { id: string } };
}

/** A DOCUMENT_READY rule that matches none of the three documents it then runs on: three SKIPPED executions, oldest first. */
async function threeSkipped(name: string): Promise<{ rule: { id: string }; docs: string[] }> {
  const profileId = await profile(name);
  const rule = await createRule({
    name,
    trigger: 'DOCUMENT_READY',
    profileId,
    conditions: [{ field: 'doc_type', operator: 'EQUALS', value: 'Receipt' }],
    action: { type: 'FLAG_REVIEW' },
  });
  const acme = await contact(`Acme ${name}`);
  const docs: string[] = [];
  for (let i = 0; i < 3; i++) {
    docs.push(await extracted(acme.documents, profileId, { confidenceScore: 90 }));
    await setStatus(docs[i]!, 'READY');
  }
  return { rule, docs };
}

async function executions(filter: { ruleId?: string; documentId?: string }) {
  const { ruleExecutions } = await t.ok(
    `query($r: ID, $d: ID) { ruleExecutions(ruleId: $r, documentId: $d) { edges { cursor node { id rule { id name } ruleName trigger document { id } outcome detail error executedAt } } pageInfo { hasNextPage endCursor } } }`,
    { r: filter.ruleId, d: filter.documentId },
  );
  return ruleExecutions.edges.map((e: { node: unknown }) => e.node) as {
    id: string;
    rule: { id: string; name: string } | null;
    ruleName: string;
    trigger: string;
    document: { id: string };
    outcome: string;
    detail: string | null;
    error: string | null;
  }[];
}

async function exportedEvents(documentId: string): Promise<number> {
  const [row] = await t.app.database.orm.em
    .fork()
    .execute<{ n: string }[]>(`select count(*) as n from events where type = 'document.exported' and entity_id = ?`, [Number(documentId)]);
  return Number(row!.n);
}

beforeAll(async () => {
  t = await startTestApp();
  // Schedules are stepped with runOnce(), never by the poll timer.
  await t.app.rules.stop();
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  receiver = await new TestReceiver().start();
});
afterEach(async () => {
  await receiver.stop();
});

describe('DOCUMENT_READY rules', () => {
  it('exports a confident invoice the moment it reaches READY: the webhook arrives with status Export, no export click', async () => {
    await t.ok(`mutation($u: String!) { configureWebhooks(input: { document: { url: $u, enabled: true }, bearerToken: "rules-token" }) { document { url } } }`, {
      u: receiver.url,
    });
    const profileId = await profile('Invoices');
    const rule = await createRule({
      name: 'Export confident invoices',
      trigger: 'DOCUMENT_READY',
      profileId,
      conditions: [
        { field: 'confidence_score', operator: 'GREATER_THAN', value: '85' },
        { field: 'doc_type', operator: 'EQUALS', value: 'Invoice' },
      ],
      action: { type: 'SET_STATUS', status: 'EXPORT' },
    });
    expect(rule).toMatchObject({ enabled: true, trigger: 'DOCUMENT_READY', intervalMinutes: null, profile: { id: profileId }, contact: null, lastRunAt: null });
    const acme = await contact('Acme Corporation');
    const id = await extracted(acme.documents, profileId, {
      confidenceScore: 87,
      fields: { Vendor: 'Acme Corporation', 'Invoice Number': 'INV-2025-1147', 'Total Amount': '18500.00' },
    });

    // The reviewer moves it to READY; the rule exports it in the same transaction.
    expect(await setStatus(id, 'READY')).toMatchObject({ status: 'EXPORT' });
    await receiver.waitFor(1);
    const [req] = receiver.requests;
    expect(req!.headers.authorization).toBe('Bearer rules-token');
    expect(req!.headers['x-recordengine-event']).toBe('document.exported');
    expect(req!.json).toMatchObject({
      id: Number(id),
      status: 'Export',
      doc_type: 'Invoice',
      confidence_score: 87,
      contact_name: 'Acme Corporation',
      extracted_fields: { vendor: 'Acme Corporation', invoice_number: 'INV-2025-1147', total_amount: '18500.00' },
    });
    expect(await exportedEvents(id)).toBe(1);

    const [execution] = await executions({ ruleId: rule.id });
    expect(execution).toMatchObject({
      rule: { id: rule.id, name: 'Export confident invoices' },
      trigger: 'DOCUMENT_READY',
      document: { id },
      outcome: 'APPLIED',
      error: null,
    });
    expect(execution!.detail).toBe('confidence_score 87 is greater than "85"; doc_type "Invoice" is equal to "Invoice"; status READY → EXPORT');
    const { rule: after } = await t.ok(`query($id: ID!) { rule(id: $id) { lastRunAt } }`, { id: rule.id });
    expect(after.lastRunAt).toMatch(/Z$/);
  });

  it('leaves a document that does not match where it is, and records why', async () => {
    const profileId = await profile('Invoices (low confidence)');
    const rule = await createRule({
      name: 'Export confident invoices',
      trigger: 'DOCUMENT_READY',
      profileId,
      conditions: [
        { field: 'confidence_score', operator: 'GREATER_THAN', value: '85' },
        { field: 'doc_type', operator: 'EQUALS', value: 'Invoice' },
      ],
      action: { type: 'SET_STATUS', status: 'EXPORT' },
    });
    const acme = await contact('Acme Low');
    const id = await extracted(acme.documents, profileId, { confidenceScore: 80 });
    expect(await setStatus(id, 'READY')).toMatchObject({ status: 'READY' });
    expect(await documentOf(id)).toMatchObject({ status: 'READY' });
    expect(await exportedEvents(id)).toBe(0);
    expect(await executions({ documentId: id })).toMatchObject([
      { rule: { id: rule.id }, outcome: 'SKIPPED', detail: 'conditions not met: confidence_score 80 is not greater than "85"', error: null },
    ]);
  });

  it('compares amounts as numbers and records a value that is not a number', async () => {
    const profileId = await profile('Amounts');
    const rule = await createRule({
      name: 'Large amounts to review',
      trigger: 'DOCUMENT_READY',
      profileId,
      conditions: [{ field: 'total_amount', operator: 'GREATER_THAN', value: '9000' }],
      action: { type: 'FLAG_REVIEW' },
    });
    const acme = await contact('Acme Amounts');
    const large = await extracted(acme.documents, profileId, { confidenceScore: 90, fields: { 'Total Amount': '18500.00' } });
    const garbled = await extracted(acme.documents, profileId, { confidenceScore: 90, fields: { 'Total Amount': 'abc' } });
    expect(await setStatus(large, 'READY')).toMatchObject({ status: 'NEEDS_REVIEW' });
    expect(await setStatus(garbled, 'READY')).toMatchObject({ status: 'READY' });
    const byDoc = await executions({ ruleId: rule.id });
    expect(byDoc.find((e) => e.document.id === large)).toMatchObject({ outcome: 'APPLIED', detail: expect.stringContaining('status READY → NEEDS_REVIEW') });
    expect(byDoc.find((e) => e.document.id === garbled)).toMatchObject({ outcome: 'SKIPPED', error: 'total_amount "abc" is not a number' });
  });

  it('runs each rule once per change, on the document as earlier rules left it; a move the lifecycle forbids is SKIPPED', async () => {
    const profileId = await profile('Two rules');
    const exportRule = await createRule({
      name: 'Export',
      trigger: 'DOCUMENT_READY',
      profileId,
      conditions: [{ field: 'confidence_score', operator: 'GREATER_THAN', value: '85' }],
      action: { type: 'SET_STATUS', status: 'EXPORT' },
    });
    const flagRule = await createRule({
      name: 'Flag invoices',
      trigger: 'DOCUMENT_READY',
      profileId,
      conditions: [{ field: 'doc_type', operator: 'CONTAINS', value: 'inv' }],
      action: { type: 'FLAG_REVIEW' },
    });
    const acme = await contact('Acme Two');
    const id = await extracted(acme.documents, profileId, { confidenceScore: 95 });
    expect(await setStatus(id, 'READY')).toMatchObject({ status: 'EXPORT' });
    expect(await executions({ ruleId: exportRule.id })).toMatchObject([{ outcome: 'APPLIED' }]);
    expect(await executions({ ruleId: flagRule.id })).toMatchObject([
      { outcome: 'SKIPPED', error: 'The lifecycle does not allow EXPORT → NEEDS_REVIEW' },
    ]);
    expect(await exportedEvents(id)).toBe(1);
  });

  it("does not trigger rules with a rule's own change: a schedule that puts a document back to READY wakes no DOCUMENT_READY rule", async () => {
    const profileId = await profile('Loop');
    // Together these two would flip a document between READY and NEEDS_REVIEW forever.
    const flag = await createRule({
      name: 'Flag on READY',
      trigger: 'DOCUMENT_READY',
      profileId,
      conditions: [{ field: 'doc_type', operator: 'EQUALS', value: 'Invoice' }],
      action: { type: 'FLAG_REVIEW' },
    });
    const back = await createRule({
      name: 'Back to READY',
      trigger: 'SCHEDULE',
      intervalMinutes: 5,
      profileId,
      conditions: [{ field: 'status', operator: 'EQUALS', value: 'Needs Review' }],
      action: { type: 'SET_STATUS', status: 'READY' },
    });
    const acme = await contact('Acme Loop');
    const id = await extracted(acme.documents, profileId, { confidenceScore: 70 });
    expect(await setStatus(id, 'READY')).toMatchObject({ status: 'NEEDS_REVIEW' });

    await t.app.database.orm.em.fork().execute(`update rules set next_run_at = now() - interval '1 minute' where id = ?`, [Number(back.id)]);
    expect(await t.app.rules.runOnce()).toBe(1);
    expect(await documentOf(id)).toMatchObject({ status: 'READY' });
    expect(await executions({ ruleId: back.id })).toMatchObject([{ trigger: 'SCHEDULE', outcome: 'APPLIED', document: { id } }]);
    expect(await executions({ ruleId: flag.id })).toHaveLength(1);
  });

  it('moves a document to a folder of its own contact; a MOVE_FOLDER rule is scoped to that contact', async () => {
    const profileId = await profile('Vendors');
    const acme = await contact('Acme Move');
    const beta = await contact('Beta Move');
    const rule = await createRule({
      name: 'No vendor: to Review',
      trigger: 'DOCUMENT_READY',
      profileId,
      conditions: [{ field: 'vendor_name', operator: 'IS_EMPTY' }],
      action: { type: 'MOVE_FOLDER', folderId: acme.review },
    });
    expect(rule).toMatchObject({ contact: { id: acme.id }, action: { type: 'MOVE_FOLDER', status: null, folder: { id: acme.review } } });

    const noVendor = await extracted(acme.documents, profileId, { confidenceScore: 90, fields: { 'Invoice Number': 'A-1' } });
    const withVendor = await extracted(acme.documents, profileId, { confidenceScore: 90, fields: { Vendor: 'Acme Corporation' } });
    const otherContact = await extracted(beta.documents, profileId, { confidenceScore: 90 });
    expect(await setStatus(noVendor, 'READY')).toMatchObject({ status: 'READY', folder: { id: acme.review } });
    expect(await setStatus(withVendor, 'READY')).toMatchObject({ folder: { id: acme.documents } });
    expect(await setStatus(otherContact, 'READY')).toMatchObject({ folder: { id: beta.documents } });

    const recorded = await executions({ ruleId: rule.id });
    expect(recorded.find((e) => e.document.id === noVendor)).toMatchObject({ outcome: 'APPLIED', detail: `vendor_name null is empty; folder ${acme.documents} → ${acme.review}` });
    // "vendor" (the reference's key) counts as the vendor name.
    expect(recorded.find((e) => e.document.id === withVendor)).toMatchObject({ outcome: 'SKIPPED', detail: 'conditions not met: vendor_name "Acme Corporation" is not empty' });
    expect(recorded.find((e) => e.document.id === otherContact)).toBeUndefined();
  });

  it('records a FAILED execution and keeps the change that triggered it when the action cannot be carried out', async () => {
    const profileId = await profile('Huge');
    const rule = await createRule({
      name: 'Export everything',
      trigger: 'DOCUMENT_READY',
      profileId,
      conditions: [{ field: 'confidence_score', operator: 'GREATER_THAN', value: '0' }],
      action: { type: 'SET_STATUS', status: 'EXPORT' },
    });
    const acme = await contact('Acme Huge');
    // A payload over WEBHOOK_MAX_PAYLOAD_BYTES (256 KiB) cannot be recorded as an event.
    const lineItems = Array.from({ length: 300 }, (_, i) => ({ description: `${i} ${'x'.repeat(990)}`, quantity: 1, unitPrice: 1, amount: 1 }));
    const id = await extracted(acme.documents, profileId, { confidenceScore: 99 }, { lineItems });
    expect(await setStatus(id, 'READY')).toMatchObject({ status: 'READY' });
    expect(await documentOf(id)).toMatchObject({ status: 'READY' });
    expect(await exportedEvents(id)).toBe(0);
    const [execution] = await executions({ ruleId: rule.id });
    expect(execution).toMatchObject({ outcome: 'FAILED', document: { id } });
    expect(execution!.error).toMatch(/document\.exported payload would be \d+ bytes/);
  });
});

describe('managing rules', () => {
  it('updates, disables, re-enables and deletes a rule; executions outlive it', async () => {
    const profileId = await profile('Managed');
    const rule = await createRule({
      name: 'Flag',
      trigger: 'DOCUMENT_READY',
      profileId,
      conditions: [{ field: 'doc_type', operator: 'EQUALS', value: 'Invoice' }],
      action: { type: 'FLAG_REVIEW' },
    });
    const acme = await contact('Acme Managed');

    const { setRuleEnabled } = await t.ok(`mutation($id: ID!) { setRuleEnabled(id: $id, enabled: false) { enabled } }`, { id: rule.id });
    expect(setRuleEnabled.enabled).toBe(false);
    const first = await extracted(acme.documents, profileId, { confidenceScore: 90 });
    expect(await setStatus(first, 'READY')).toMatchObject({ status: 'READY' });
    expect(await executions({ ruleId: rule.id })).toEqual([]);

    const { updateRule } = await t.ok(`mutation($id: ID!, $i: RuleInput!) { updateRule(id: $id, input: $i) { ${RULE_FIELDS} } }`, {
      id: rule.id,
      i: {
        name: 'Flag receipts',
        enabled: true,
        trigger: 'DOCUMENT_READY',
        profileId,
        conditions: [{ field: 'doc_type', operator: 'EQUALS', value: 'Receipt' }],
        action: { type: 'FLAG_REVIEW' },
      },
    });
    expect(updateRule).toMatchObject({ id: rule.id, name: 'Flag receipts', enabled: true, conditions: [{ field: 'doc_type', operator: 'EQUALS', value: 'Receipt' }] });
    const second = await extracted(acme.documents, profileId, { confidenceScore: 90 }, { docType: 'Receipt' });
    expect(await setStatus(second, 'READY')).toMatchObject({ status: 'NEEDS_REVIEW' });

    const { rules } = await t.ok(`query { rules { id name } }`);
    expect(rules).toContainEqual({ id: rule.id, name: 'Flag receipts' });
    expect(await t.ok(`mutation($id: ID!) { deleteRule(id: $id) }`, { id: rule.id })).toEqual({ deleteRule: true });
    expect(await executions({ documentId: second })).toMatchObject([{ rule: null, ruleName: 'Flag receipts', outcome: 'APPLIED' }]);
    const gone = await t.gql(`mutation($id: ID!) { deleteRule(id: $id) }`, { id: rule.id });
    expect(gone.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' }, message: `Rule "${rule.id}" does not exist` });
  });

  it('pages executions newest first', async () => {
    const { rule, docs } = await threeSkipped('Paged');
    const page = `query($r: ID, $a: String) { ruleExecutions(ruleId: $r, first: 2, after: $a) { edges { cursor node { document { id } } } pageInfo { hasNextPage endCursor } } }`;
    const { ruleExecutions: first } = await t.ok(page, { r: rule.id });
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[1].cursor });
    const { ruleExecutions: second } = await t.ok(page, { r: rule.id, a: first.pageInfo.endCursor });
    expect(second.pageInfo.hasNextPage).toBe(false);
    const seen = [...first.edges, ...second.edges].map((e: { node: { document: { id: string } } }) => e.node.document.id);
    expect(seen).toEqual([...docs].reverse());
    const bad = await t.gql(`query { ruleExecutions(after: "nonsense") { edges { cursor } } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('purges executions older than RULE_EXECUTIONS_RETENTION, in batches, and keeps the rest', async () => {
    const { rule, docs } = await threeSkipped('Aged');
    // The first two ran 100 days ago.
    await sql(t.databaseUrl, `update rule_executions set executed_at = now() - interval '100 days' where rule_id = $1 and document_id = any($2::int[])`, [rule.id, [docs[0], docs[1]]]);
    expect(await purgeExecutions(t.app.database.orm.em.fork(), 90 * 86_400_000, 1)).toBe(2);
    const left = (await executions({ ruleId: rule.id })).map((e) => e.document.id);
    expect(left).toEqual([docs[2]]);
  });
});
