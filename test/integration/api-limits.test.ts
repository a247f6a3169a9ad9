import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/domain/validate.js';
import { MAX_JSON_DEPTH } from '../../src/graphql/scalars.js';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { pointChannel, sql } from '../helpers/webhooks.js';
import { TestWsClient } from '../helpers/ws-client.js';

let t: TestApp;
let receiver: TestReceiver;
let folderId = '';

const DEFAULT_MAX_COST = 1_000_000;

/** The raw answer: status, size in bytes and body. `variables` may be JSON text already. */
async function post(query: string, variables?: Record<string, unknown> | string) {
  const body = typeof variables === 'string' ? `{"query":${JSON.stringify(query)},"variables":${variables}}` : JSON.stringify({ query, variables });
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
    body,
  });
  const text = await res.text();
  return { status: res.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] } };
}

/** One operation over the real graphql-ws client, to its first result or error. */
async function overWebSocket(query: string, variables: Record<string, unknown> = {}) {
  const ws = new TestWsClient(t.url, { token: TEST_TOKEN });
  try {
    const operation = ws.subscribe(query, variables);
    await operation.end();
    return { results: operation.results, error: operation.error as { message: string; extensions?: Record<string, any> }[] | undefined };
  } finally {
    await ws.dispose();
  }
}

async function newDocument(): Promise<string> {
  const { createDocument } = await t.ok(`mutation($f: ID!) { createDocument(input: { folderId: $f, filename: "limits.pdf" }) { id } }`, { f: folderId });
  return createDocument.id;
}

const aliases = (count: number, field: string) => Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ');

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
  receiver = await new TestReceiver().start();
  const { createContact } = await t.ok(`mutation { createContact(input: { name: "Limits", type: CLIENT }) { folders { edges { node { id } } } } }`);
  folderId = createContact.folders.edges[0].node.id;
});
afterAll(async () => {
  await receiver.stop();
  await t.stop();
});

describe('updateDocument keeps extractedFields within its limit', () => {
  const fieldsOf = (prefix: string, count: number, size: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}_${i}`, 'v'.repeat(size)]));
  const update = (id: string, fields: Record<string, unknown>) =>
    t.gql(`mutation($id: ID!, $f: JSON) { updateDocument(id: $id, input: { fields: $f }) { id extractedFields } }`, { id, f: fields });
  const storedBytes = async (id: string) =>
    (await sql<{ bytes: number }>(t.databaseUrl, `select octet_length(extracted_fields::text) as bytes from documents where id = $1`, [id]))[0]!.bytes;

  it('refuses the edit whose merge would pass 128 KiB, naming the size and the limit, and writes nothing', async () => {
    const id = await newDocument();
    // Each edit is 60 KB, under the limit on its own; the third would make the document 180 KB.
    for (const prefix of ['first', 'second']) expect((await update(id, fieldsOf(prefix, 6, 10_000))).errors).toBeUndefined();
    const before = await storedBytes(id);
    const third = await update(id, fieldsOf('third', 6, 10_000));
    expect(third.errors).toHaveLength(1);
    expect(third.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'fields', limit: LIMITS.extractedFieldsBytes });
    expect(third.errors![0]!.message).toMatch(new RegExp(`extractedFields would be \\d+ bytes of JSON after this change; the limit is ${LIMITS.extractedFieldsBytes}`));
    expect(third.errors![0]!.extensions!.size).toBeGreaterThan(LIMITS.extractedFieldsBytes);
    expect(await storedBytes(id)).toBe(before);

    // Removing fields in the same edit makes room: the merged result is what counts.
    const swap = { ...Object.fromEntries(Object.keys(fieldsOf('second', 6, 0)).map((k) => [k, null])), ...fieldsOf('third', 6, 10_000) };
    const swapped = await update(id, swap);
    expect(swapped.errors).toBeUndefined();
    expect(Object.keys(swapped.data!.updateDocument.extractedFields).sort()).toEqual([...Object.keys(fieldsOf('first', 6, 0)), ...Object.keys(fieldsOf('third', 6, 0))].sort());
  });

  it('measures the merge as compact JSON, as the input is measured: exactly the limit passes, one byte more does not', async () => {
    const id = await newDocument();
    // Fifteen values of 9,000 characters, the last one shortened to make exactly the limit.
    const exact: Record<string, string> = fieldsOf('k', 15, 9_000);
    exact.k_14 = exact.k_14!.slice(Buffer.byteLength(JSON.stringify(exact)) - LIMITS.extractedFieldsBytes);
    expect(Buffer.byteLength(JSON.stringify(exact))).toBe(LIMITS.extractedFieldsBytes);
    expect((await update(id, exact)).errors).toBeUndefined();
    expect((await update(id, { k_0: 'y'.repeat(9_000) })).errors).toBeUndefined();
    // ,"b":1 is six bytes more.
    const over = await update(id, { b: 1 });
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', size: LIMITS.extractedFieldsBytes + 6 });
  });
});

describe('JSON inputs have a nesting limit', () => {
  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels, even 100,000 levels deep, as BAD_USER_INPUT`, async () => {
    const id = await newDocument();
    // As JSON text: JSON.stringify itself cannot write a value 100,000 levels deep.
    const nest = (levels: number) => `{"id":${JSON.stringify(id)},"r":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}`;
    const update = `mutation($id: ID!, $r: JSON) { updateDocument(id: $id, input: { externalRefs: $r }) { id } }`;
    for (const levels of [MAX_JSON_DEPTH + 1, 100_000]) {
      const res = await post(update, nest(levels));
      expect(res.status).toBe(400);
      expect(res.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors![0]!.message).toContain(`the limit is ${MAX_JSON_DEPTH}`);
    }
    expect((await post(update, nest(MAX_JSON_DEPTH))).body.errors).toBeUndefined();
  });
});

describe('introspection is depth-limited', () => {
  it('refuses introspection nested past the introspection depth, and over WebSocket', async () => {
    const query = `{ __type(name: "Document") { fields { type { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} } } } }`;
    const res = await post(query);
    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors![0]!.message).toContain('nests fields 23 levels deep');
    const { error } = await overWebSocket(query);
    expect(error?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
