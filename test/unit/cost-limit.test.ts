import { buildSchema, getIntrospectionQuery, getOperationAST, parse } from 'graphql';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { costLimitErrors, operationCost } from '../../src/graphql/cost-limit.js';

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

function cost(query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  return operationCost(schema, document, getOperationAST(document)!, variables).cost;
}

describe('operationCost', () => {
  it('multiplies by first (literal, variable or default) and counts a connection\'s edges once', () => {
    // contacts: 1, edges: 1, node: 1, id: 1, per contact.
    expect(cost(`{ contacts(first: 10) { edges { node { id } } } }`)).toBe(10 * 4);
    expect(cost(`query($n: Int) { contacts(first: $n) { edges { node { id } } } }`, { n: 7 })).toBe(7 * 4);
    expect(cost(`{ contacts { edges { node { id } } } }`)).toBe(50 * 4);
    // A page size the resolver will refuse counts as the largest one allowed.
    expect(cost(`query($n: Int) { contacts(first: $n) { edges { node { id } } } }`, { n: 'many' })).toBe(500 * 4);
    expect(cost(`{ contacts(first: 100000) { edges { node { id } } } }`)).toBe(500 * 4);
  });

  it('multiplies nested lists, weighs JSON values, and bounds lists without first by their limits', () => {
    expect(cost(`{ contacts(first: 2) { edges { node { folders(first: 3) { edges { node { id } } } } } } }`)).toBe(2 * (3 + 3 * 4));
    expect(cost(`{ events(first: 2) { edges { node { payload } } } }`)).toBe(2 * (3 + 100));
    expect(cost(`{ document(id: 1) { lineItems { amount } } }`)).toBe(1 + 1_000 * 2);
    expect(cost(`{ rules { conditions { field } } }`)).toBe(50 * (1 + 5 * 2));
  });

  it('measures each fragment once, so that fragments spread many times cost nothing more to measure', () => {
    const fragments = Array.from({ length: 20 }, (_, i) => `fragment F${i + 1} on Contact { id a: parent { ...F${i} } b: parent { ...F${i} } }`);
    const started = performance.now();
    // F0 costs 1 and Fn = 1 + 2 × (1 + Fn-1), so Fn = 2^(n+2) - 3: 2^20 paths, 21 fragments.
    expect(cost(`{ contact(id: 1) { ...F20 } } fragment F0 on Contact { id } ${fragments.join(' ')}`)).toBe(1 + 2 ** 22 - 3);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('keeps the standard introspection query under the default limit', () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    expect(cost(query)).toBeLessThan(1_000_000);
  });

  it('counts once-per-request fields through aliases and fragments', () => {
    const document = parse(`mutation { a: testWebhook(channel: DOCUMENT) { ok } ...T } fragment T on Mutation { b: testWebhook(channel: CONTACT) { ok } }`);
    const errors = costLimitErrors(schema, document, getOperationAST(document)!, {}, 1_000_000);
    expect(errors.map((e) => e.message)).toEqual(['The operation selects testWebhook 2 times; a request may select it once']);
  });
});
