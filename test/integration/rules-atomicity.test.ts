import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { deliveries, pointChannel, sql } from '../helpers/webhooks.js';

let t: TestApp;
let receiver: TestReceiver;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  receiver = await new TestReceiver().start();
  await pointChannel(t, 'document', receiver.url);
});
afterEach(async () => {
  await sql(t.databaseUrl, 'drop function if exists refuse_document cascade');
  await receiver.stop();
});

/** A contact with a NEEDS_REVIEW invoice and a DOCUMENT_READY rule that exports it; returns the document's id. */
async function invoiceUnderExportRule(name: string): Promise<{ documentId: string; ruleId: string }> {
  const { createContact } = await t.ok(`mutation($n: String!) { createContact(input: { name: $n, type: CLIENT }) { id folders { edges { node { id } } } } }`, {
    n: name,
  });
  const { createRule } = await t.ok(`mutation($i: RuleInput!) { createRule(input: $i) { id } }`, {
    i: {
      name: `Export ${name}`,
      trigger: 'DOCUMENT_READY',
      contactId: createContact.id,
      conditions: [{ field: 'confidence_score', operator: 'GREATER_THAN', value: '85' }],
      action: { type: 'SET_STATUS', status: 'EXPORT' },
    },
  });
  const { createDocument } = await t.ok(`mutation($f: ID!) { createDocument(input: { folderId: $f, filename: "invoice.pdf" }) { id } }`, {
    f: createContact.folders.edges[0].node.id,
  });
  await t.ok(`mutation($id: ID!) { recordExtraction(id: $id, input: { docType: "Invoice", confidenceScore: 97 }) { id } }`, { id: createDocument.id });
  return { documentId: createDocument.id, ruleId: createRule.id };
}

/**
 * Makes the database refuse a delivery or event row of one document where `trigger` says,
 * as a full disk or a broken constraint would.
 */
async function refuse(documentId: string, trigger: string) {
  await sql(
    t.databaseUrl,
    `create function refuse_document() returns trigger language plpgsql as $$
     begin
       if new.entity_id = ${Number(documentId)} then
         raise exception 'the database refuses document %', ${Number(documentId)};
       end if;
       return new;
     end $$`,
  );
  await sql(t.databaseUrl, trigger);
}

async function documentStatus(id: string): Promise<string> {
  const { document } = await t.ok(`query($id: ID!) { document(id: $id) { status } }`, { id });
  return document.status;
}

/** The document.exported events of one document in the log, through the API. */
async function exportedEvents(documentId: string): Promise<unknown[]> {
  const { events } = await t.ok(`{ events(types: [DOCUMENT_EXPORTED], first: 500) { edges { node { id payload } } } }`);
  return events.edges.filter((e: { node: { payload: { id: number } } }) => e.node.payload.id === Number(documentId));
}

async function executions(ruleId: string) {
  const { ruleExecutions } = await t.ok(`query($r: ID) { ruleExecutions(ruleId: $r) { edges { node { outcome detail error } } } }`, { r: ruleId });
  return ruleExecutions.edges.map((e: { node: unknown }) => e.node) as { outcome: string; detail: string | null; error: string | null }[];
}

describe('a DOCUMENT_READY rule that exports', () => {
  it('whose action fails after the status moved leaves no half export: no event, no delivery, the document READY, the execution FAILED', async () => {
    const { documentId, ruleId } = await invoiceUnderExportRule('Half Export Ltd');
    // The action moves the status, then fails while queueing the webhook: its last step.
    await refuse(
      documentId,
      `create trigger refuse_document before insert on webhook_deliveries for each row when (new.channel = 'DOCUMENT') execute function refuse_document()`,
    );
    const { setDocumentStatus } = await t.ok(`mutation($id: ID!) { setDocumentStatus(id: $id, status: READY) { status } }`, { id: documentId });
    expect(setDocumentStatus.status).toBe('READY');
    expect(await documentStatus(documentId)).toBe('READY');
    expect(await exportedEvents(documentId)).toEqual([]);
    expect((await deliveries(t, { channel: 'DOCUMENT', entityId: documentId })).edges).toEqual([]);
    const [execution] = await executions(ruleId);
    expect(execution).toMatchObject({ outcome: 'FAILED', error: expect.stringContaining(`the database refuses document ${documentId}`) });
    await t.app.worker!.drain();
    expect(receiver.requests).toHaveLength(0);

    // Nothing half done stands in the way: exported by hand, it goes out once.
    await sql(t.databaseUrl, 'drop function refuse_document cascade');
    await t.ok(`mutation($id: ID!) { setDocumentStatus(id: $id, status: EXPORT) { status } }`, { id: documentId });
    await receiver.waitFor(1);
    await t.app.worker!.drain();
    expect(receiver.requests.map((r) => [r.json.id, r.json.status])).toEqual([[Number(documentId), 'Export']]);
    expect(await exportedEvents(documentId)).toHaveLength(1);
  });

  it('commits with the change that triggered it, or not at all: a commit that fails leaves neither the change nor the export', async () => {
    const { documentId, ruleId } = await invoiceUnderExportRule('Not At All Ltd');
    // Checked at commit, and only once the rule has exported: the document.exported event is what is refused.
    await refuse(
      documentId,
      `create constraint trigger refuse_document after insert on events deferrable initially deferred for each row execute function refuse_document()`,
    );
    const res = await t.gql(`mutation($id: ID!) { setDocumentStatus(id: $id, status: READY) { status } }`, { id: documentId });
    expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(await documentStatus(documentId)).toBe('NEEDS_REVIEW');
    expect(await exportedEvents(documentId)).toEqual([]);
    expect((await deliveries(t, { channel: 'DOCUMENT', entityId: documentId })).edges).toEqual([]);
    expect(await executions(ruleId)).toEqual([]);
    await t.app.worker!.drain();
    expect(receiver.requests).toHaveLength(0);
  });
});
