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

describe('the cost of a request is bounded before it runs', () => {
  const events = (first: string) => `events(first: ${first}) { edges { node { payload } } }`;

  it('refuses 40 aliases of a 500-event page with HTTP 400, naming the cost and GRAPHQL_MAX_COST', async () => {
    const res = await post(`{ ${aliases(40, events('500'))} }`);
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    const [error] = res.body.errors!;
    expect(error!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', cost: 40 * 500 * 103, limit: DEFAULT_MAX_COST });
    expect(error!.message).toContain(`may cost ${40 * 500 * 103}; the limit is ${DEFAULT_MAX_COST} (GRAPHQL_MAX_COST)`);
  });

  it('counts page sizes given as variables, for each request of the same document', async () => {
    const query = `query($n: Int) { ${aliases(40, events('$n'))} }`;
    expect((await post(query, { n: 5 })).status).toBe(200);
    const large = await post(query, { n: 500 });
    expect(large.status).toBe(400);
    expect(large.body.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', cost: 40 * 500 * 103 });
    // A default page size counts as 50.
    const defaults = await post(`{ ${aliases(200, 'events { edges { node { payload } } }')} }`);
    expect(defaults.body.errors![0]!.extensions).toMatchObject({ cost: 200 * 50 * 103 });
  });

  it('refuses the same over WebSocket', async () => {
    const { error, results } = await overWebSocket(`query($n: Int) { ${aliases(40, events('$n'))} }`, { n: 500 });
    expect(results).toEqual([]);
    expect(error).toHaveLength(1);
    expect(error![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', cost: 40 * 500 * 103, limit: DEFAULT_MAX_COST });
  });

  it('lets the standard introspection query and a full page of events with their payloads through', async () => {
    const introspection = await post(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }));
    expect(introspection.body.errors).toBeUndefined();
    expect(introspection.body.data.__schema.types.length).toBeGreaterThan(10);
    const page = await post(`{ events(first: 500) { edges { cursor node { id cursor type occurredAt payload } } pageInfo { hasNextPage endCursor } } }`);
    expect(page.body.errors).toBeUndefined();
  });

  it('takes its limit from GRAPHQL_MAX_COST', async () => {
    const small = await startTestApp({ WEBHOOK_WORKER: 'false', GRAPHQL_MAX_COST: '1000' });
    try {
      // 500 × (the connection, its edges, their cursor) = 1,500.
      const refused = await small.gql(`{ contacts(first: 500) { edges { cursor } } }`);
      expect(refused.status).toBe(400);
      expect(refused.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', cost: 1500, limit: 1000 });
      expect((await small.gql(`{ contacts(first: 300) { edges { cursor } } }`)).errors).toBeUndefined();
    } finally {
      await small.stop();
    }
  });

  it('lets a request select testWebhook once: aliases of it send nothing', async () => {
    await pointChannel(t, 'contact', receiver.url);
    const twice = await post(`mutation { a: testWebhook(channel: CONTACT) { ok } b: testWebhook(channel: CONTACT) { ok } }`);
    expect(twice.status).toBe(400);
    expect(twice.body.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', field: 'testWebhook', count: 2, limit: 1 });
    expect(twice.body.errors![0]!.message).toContain('selects testWebhook 2 times; a request may select it once');
    const once = await post(`mutation { testWebhook(channel: CONTACT) { ok } }`);
    expect(once.body.data.testWebhook.ok).toBe(true);
    // The single one was the only POST: the refused request sent none.
    expect(receiver.requests).toHaveLength(1);
  });

  it('lets a request select replayWebhooks once: aliases of it queue nothing', async () => {
    await pointChannel(t, 'contact', receiver.url);
    const since = new Date(0).toISOString();
    const count = async () => Number((await sql<{ n: string }>(t.databaseUrl, `select count(*) as n from webhook_deliveries`))[0]!.n);
    const before = await count();
    const replay = `replayWebhooks(input: { channel: CONTACT, since: "${since}" }) { count }`;
    const res = await post(`mutation { ${aliases(3, replay)} }`);
    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', field: 'replayWebhooks', count: 3 });
    expect(await count()).toBe(before);
  });
});

describe('an error echoes at most a short prefix of the value it refuses', () => {
  it('answers ten aliases of a 500 KB id in a few KB', async () => {
    const id = '9'.repeat(500 * 1024);
    const res = await post(`query($id: ID!) { ${aliases(10, 'contact(id: $id) { id }')} }`, { id });
    expect(res.body.errors).toHaveLength(10);
    for (const error of res.body.errors!) {
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
      expect(error.message).toContain(`"${'9'.repeat(40)}`);
    }
    expect(res.bytes).toBeLessThan(10_000);
  });

  it('cuts a long value in graphql\'s own messages too', async () => {
    const res = await post(`query($n: Int) { contacts(first: $n) { edges { cursor } } }`, { n: 'x'.repeat(500 * 1024) });
    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toContain('Variable "$n" got invalid value "xxxx');
    expect(res.bytes).toBeLessThan(1_000);
  });
});

describe('NUL is bad input in any text, not an internal error', () => {
  const refusedNul = (res: Awaited<ReturnType<typeof post>>, field: string) => {
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(res.body.errors![0]!.message).toContain('NUL character (U+0000)');
  };

  it('refuses NUL in a name, a filter, an extracted field value and a JSON key, as variables', async () => {
    const id = await newDocument();
    refusedNul(await post(`mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`, { input: { name: 'Ac\u0000me', type: 'CLIENT' } }), '$input.name');
    refusedNul(await post(`query($d: String) { documents(filter: { docType: $d }) { edges { cursor } } }`, { d: 'Invoice\u0000' }), '$d');
    refusedNul(await post(`mutation($id: ID!, $f: JSON) { updateDocument(id: $id, input: { fields: $f }) { id } }`, { id, f: { total: 'a\u0000b' } }), '$f.total');
    refusedNul(await post(`mutation($id: ID!, $r: JSON) { updateDocument(id: $id, input: { externalRefs: $r }) { id } }`, { id, r: { list: [{ 'k\u0000': 1 }] } }), '$r.list[0]');
    const { body } = await post(`query($id: ID!) { document(id: $id) { extractedFields externalRefs } }`, { id });
    expect(body.data.document).toEqual({ extractedFields: {}, externalRefs: {} });
  });

  it('refuses NUL written in the query text, and over WebSocket', async () => {
    refusedNul(await post(`mutation { createContact(input: { name: "Ac\\u0000me", type: CLIENT }) { id } }`), 'query');
    refusedNul(await post(`{ documents(filter: { docType: "\\u0000" }) { edges { cursor } } }`), 'query');
    const { error } = await overWebSocket(`query($d: String) { documents(filter: { docType: $d }) { edges { cursor } } }`, { d: 'Invoice\u0000' });
    expect(error?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: '$d' });
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
