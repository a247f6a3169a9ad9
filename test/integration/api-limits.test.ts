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
