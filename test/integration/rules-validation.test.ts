import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let profileId: string;
let acme: { id: string; folder: string };
let beta: { id: string; folder: string };

const CREATE = `mutation($i: RuleInput!) { createRule(input: $i) { id } }`;

const valid = () => ({
  name: 'Export confident invoices',
  trigger: 'DOCUMENT_READY',
  profileId,
  conditions: [
    { field: 'confidence_score', operator: 'GREATER_THAN', value: '85' },
    { field: 'doc_type', operator: 'EQUALS', value: 'Invoice' },
  ],
  action: { type: 'SET_STATUS', status: 'EXPORT' },
});

async function contact(name: string) {
  const { createContact } = await t.ok(`mutation($n: String!) { createContact(input: { name: $n, type: CLIENT }) { id folders { edges { node { id } } } } }`, { n: name });
  return { id: createContact.id as string, folder: createContact.folders.edges[0].node.id as string };
}

async function ruleCount(): Promise<number> {
  const { rules } = await t.ok(`query { rules { id } }`);
  return rules.length;
}

/** The input is refused with this code and a message matching `message`, and nothing is stored. */
async function refused(input: Record<string, unknown>, code: string, message: RegExp, field?: string) {
  const before = await ruleCount();
  const res = await t.gql(CREATE, { i: input });
  expect(res.status).toBe(200);
  expect(res.data).toBeNull();
  expect(res.errors).toHaveLength(1);
  expect(res.errors![0]!.extensions!.code).toBe(code);
  expect(res.errors![0]!.message).toMatch(message);
  if (field) expect(res.errors![0]!.extensions!.field).toBe(field);
  expect(await ruleCount()).toBe(before);
}

beforeAll(async () => {
  t = await startTestApp();
  const { createExtractionProfile } = await t.ok(`mutation { createExtractionProfile(input: { name: "Invoices", fieldLabels: ["Invoice Number", "Currency"] }) { id } }`);
  profileId = createExtractionProfile.id;
  acme = await contact('Acme');
  beta = await contact('Beta');
});
afterAll(async () => {
  await t.stop();
});

describe('rule input validation', () => {
  it('accepts the valid rule', async () => {
    const { createRule } = await t.ok(CREATE, { i: valid() });
    expect(createRule.id).toMatch(/^\d+$/);
  });

  it('refuses more than 5 conditions, and none', async () => {
    const six = Array.from({ length: 6 }, () => ({ field: 'confidence_score', operator: 'GREATER_THAN', value: '1' }));
    await refused({ ...valid(), conditions: six }, 'BAD_USER_INPUT', /A rule has 1 to 5 conditions, not 6/, 'conditions');
    await refused({ ...valid(), conditions: [] }, 'BAD_USER_INPUT', /1 to 5 conditions, not 0/);
  });

  it('refuses an unknown field, naming it and the fields there are', async () => {
    await refused(
      { ...valid(), conditions: [{ field: 'colour', operator: 'EQUALS', value: 'red' }] },
      'BAD_USER_INPUT',
      /conditions\[0\]\.field "colour" is not a field a rule can test \(confidence_score, total_amount, status, doc_type, vendor_name, days_in_status, invoice_number, currency\)/,
      'conditions[0].field',
    );
    // An extracted-field key is known only through the rule's profile.
    await refused(
      { ...valid(), profileId: null, conditions: [{ field: 'invoice_number', operator: 'IS_EMPTY' }] },
      'BAD_USER_INPUT',
      /"invoice_number" is not a field .* needs the rule's profileId/,
    );
  });

  it('refuses an operator that does not fit the field', async () => {
    await refused(
      { ...valid(), conditions: [{ field: 'confidence_score', operator: 'CONTAINS', value: '8' }] },
      'BAD_USER_INPUT',
      /conditions\[0\]\.operator CONTAINS does not fit confidence_score \(it takes GREATER_THAN, LESS_THAN, EQUALS\)/,
      'conditions[0].operator',
    );
    await refused({ ...valid(), conditions: [{ field: 'vendor_name', operator: 'EQUALS', value: 'Acme' }] }, 'BAD_USER_INPUT', /EQUALS does not fit vendor_name/);
    await refused({ ...valid(), conditions: [{ field: 'status', operator: 'GREATER_THAN', value: 'READY' }] }, 'BAD_USER_INPUT', /GREATER_THAN does not fit status/);
  });

  it('refuses a value of the wrong type', async () => {
    await refused(
      { ...valid(), conditions: [{ field: 'confidence_score', operator: 'GREATER_THAN', value: 'abc' }] },
      'BAD_USER_INPUT',
      /conditions\[0\]\.value "abc" is not a number \(confidence_score compares numbers\)/,
      'conditions[0].value',
    );
    await refused({ ...valid(), conditions: [{ field: 'total_amount', operator: 'LESS_THAN', value: '¥100' }] }, 'BAD_USER_INPUT', /"¥100" is not a number/);
    await refused({ ...valid(), conditions: [{ field: 'status', operator: 'EQUALS', value: 'Shipped' }] }, 'BAD_USER_INPUT', /"Shipped" names no document status/);
    await refused({ ...valid(), conditions: [{ field: 'doc_type', operator: 'EQUALS' }] }, 'BAD_USER_INPUT', /conditions\[0\]\.value is needed/);
    await refused({ ...valid(), conditions: [{ field: 'vendor_name', operator: 'IS_EMPTY', value: 'x' }] }, 'BAD_USER_INPUT', /IS_EMPTY takes no value/);
  });

  it('refuses days_in_status on a DOCUMENT_READY rule', async () => {
    await refused(
      { ...valid(), conditions: [{ field: 'days_in_status', operator: 'GREATER_THAN', value: '7' }] },
      'BAD_USER_INPUT',
      /conditions\[0\]\.field days_in_status is only for SCHEDULE rules/,
      'conditions[0].field',
    );
  });

  it("refuses a MOVE_FOLDER to another contact's folder, and one without a folder", async () => {
    await refused(
      { ...valid(), contactId: acme.id, action: { type: 'MOVE_FOLDER', folderId: beta.folder } },
      'BAD_USER_INPUT',
      new RegExp(`action.folderId ${beta.folder} is a folder of contact ${beta.id}, not of the rule's contact ${acme.id}`),
      'action.folderId',
    );
    await refused({ ...valid(), action: { type: 'MOVE_FOLDER' } }, 'BAD_USER_INPUT', /A MOVE_FOLDER action needs action.folderId/);
    await refused({ ...valid(), action: { type: 'FLAG_REVIEW', folderId: acme.folder } }, 'BAD_USER_INPUT', /action.folderId .* is only for MOVE_FOLDER/);
  });

  it('refuses SET_STATUS without a status, or to a status a READY document cannot move to', async () => {
    await refused({ ...valid(), action: { type: 'SET_STATUS' } }, 'BAD_USER_INPUT', /A SET_STATUS action needs action.status/, 'action.status');
    await refused({ ...valid(), action: { type: 'SET_STATUS', status: 'PROCESSING' } }, 'BAD_USER_INPUT', /action.status PROCESSING cannot follow READY/);
    await refused({ ...valid(), trigger: 'SCHEDULE', intervalMinutes: 5, action: { type: 'SET_STATUS', status: 'NEW' } }, 'BAD_USER_INPUT', /action.status NEW is not a status any lifecycle move leads to/);
    await refused({ ...valid(), action: { type: 'FLAG_REVIEW', status: 'EXPORT' } }, 'BAD_USER_INPUT', /action.status EXPORT is only for SET_STATUS/);
  });

  it('refuses SCHEDULE without intervalMinutes or below 1, and an interval on DOCUMENT_READY', async () => {
    await refused({ ...valid(), trigger: 'SCHEDULE' }, 'BAD_USER_INPUT', /A SCHEDULE rule needs intervalMinutes/, 'intervalMinutes');
    await refused({ ...valid(), trigger: 'SCHEDULE', intervalMinutes: 0 }, 'BAD_USER_INPUT', /intervalMinutes 0 must be between 1 and 525600/);
    await refused({ ...valid(), trigger: 'SCHEDULE', intervalMinutes: -5 }, 'BAD_USER_INPUT', /intervalMinutes -5 must be between 1/);
    await refused({ ...valid(), intervalMinutes: 10 }, 'BAD_USER_INPUT', /intervalMinutes 10 is only for SCHEDULE rules/);
  });

  it('refuses a blank name', async () => {
    await refused({ ...valid(), name: '   ' }, 'BAD_USER_INPUT', /name must not be blank/);
  });

  it('answers NOT_FOUND for unknown profile, contact, folder and rule ids', async () => {
    await refused({ ...valid(), profileId: '999999' }, 'NOT_FOUND', /ExtractionProfile "999999" does not exist/);
    await refused({ ...valid(), contactId: '999999' }, 'NOT_FOUND', /Contact "999999" does not exist/);
    await refused({ ...valid(), action: { type: 'MOVE_FOLDER', folderId: '999999' } }, 'NOT_FOUND', /Folder "999999" does not exist/);
    await refused({ ...valid(), profileId: 'abc' }, 'BAD_USER_INPUT', /profileId "abc" is not a valid id/);
    for (const [query, vars] of [
      [`mutation($id: ID!, $i: RuleInput!) { updateRule(id: $id, input: $i) { id } }`, { id: '999999', i: valid() }],
      [`mutation($id: ID!) { setRuleEnabled(id: $id, enabled: false) { id } }`, { id: '999999' }],
      [`mutation($id: ID!) { deleteRule(id: $id) }`, { id: '999999' }],
      [`query($id: ID) { ruleExecutions(ruleId: $id) { edges { cursor } } }`, { id: '999999' }],
    ] as const) {
      const res = await t.gql(query, vars);
      expect(res.errors?.[0]).toMatchObject({ message: 'Rule "999999" does not exist', extensions: { code: 'NOT_FOUND' } });
    }
    const res = await t.gql(`query { ruleExecutions(documentId: "999999") { edges { cursor } } }`);
    expect(res.errors?.[0]).toMatchObject({ message: 'Document "999999" does not exist', extensions: { code: 'NOT_FOUND' } });
    const { rule } = await t.ok(`query { rule(id: "999999") { id } }`);
    expect(rule).toBeNull();
  });

  it('leaves a rule as it was when an update is refused', async () => {
    const { createRule } = await t.ok(CREATE, { i: { ...valid(), name: 'Unchanged' } });
    const res = await t.gql(`mutation($id: ID!, $i: RuleInput!) { updateRule(id: $id, input: $i) { id } }`, {
      id: createRule.id,
      i: { ...valid(), name: 'Changed', conditions: [{ field: 'confidence_score', operator: 'GREATER_THAN', value: 'high' }] },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const { rule } = await t.ok(`query($id: ID!) { rule(id: $id) { name conditions { value } } }`, { id: createRule.id });
    expect(rule).toEqual({ name: 'Unchanged', conditions: [{ value: '85' }, { value: 'Invoice' }] });
  });
});
