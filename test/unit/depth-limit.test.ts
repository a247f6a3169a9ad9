import { buildSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { INTROSPECTION_DEPTH, depthLimit } from '../../src/graphql/depth-limit.js';

const schema = buildSchema(`
  type Query { node: Node }
  type Node { id: ID!  child: Node  name: String }
`);

function errors(query: string, max: number): string[] {
  return validate(schema, parse(query), [depthLimit(max)]).map((e) => e.message);
}

const nested = (levels: number) => `${'child { '.repeat(levels)}id${' }'.repeat(levels)}`;

describe('depthLimit', () => {
  it('counts the levels of fields below the root fields', () => {
    expect(errors(`{ node { ${nested(2)} } }`, 3)).toEqual([]);
    expect(errors(`{ node { ${nested(3)} } }`, 3)).toEqual(['The operation nests fields 4 levels deep; the limit is 3 (GRAPHQL_MAX_DEPTH)']);
  });

  it('names the operation and follows fragments, inline or spread', () => {
    expect(errors(`query Q { node { ...F } } fragment F on Node { child { ... on Node { ${nested(2)} } } }`, 3)).toEqual([
      'Operation "Q" nests fields 4 levels deep; the limit is 3 (GRAPHQL_MAX_DEPTH)',
    ]);
  });

  it('counts introspection, letting the standard introspection query through at any limit', () => {
    const standard = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true });
    expect(errors(standard, 2)).toEqual([]);
    expect(errors(standard, INTROSPECTION_DEPTH - 1)).toEqual([]);
    const ofTypes = (levels: number) => `${'ofType { '.repeat(levels)}name${' }'.repeat(levels)}`;
    // __schema, types, fields, args, type and 10 ofType: one level more than the standard query.
    expect(errors(`{ __schema { types { fields { args { type { ${ofTypes(10)} } } } } } }`, 10)).toEqual([
      `The operation nests fields ${INTROSPECTION_DEPTH + 1} levels deep; the limit is ${INTROSPECTION_DEPTH} (GRAPHQL_MAX_DEPTH, raised for introspection)`,
    ]);
    expect(errors(`{ __type(name: "Node") { ${ofTypes(39)} } }`, 40)).toEqual([]);
    expect(errors(`{ __type(name: "Node") { ${ofTypes(41)} } }`, 40)).toEqual(['The operation nests fields 42 levels deep; the limit is 40 (GRAPHQL_MAX_DEPTH)']);
    expect(errors(`{ ...Q } fragment Q on Query { node { id } __type(name: "Node") { fields { type { ${ofTypes(14)} } } } }`, 10)).toHaveLength(1);
  });

  it('leaves unknown fragments and fragment cycles to the rules of graphql, without throwing', () => {
    expect(errors(`{ node { ...Missing } }`, 3)).toEqual([]);
    expect(errors(`{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { ...A } }`, 3)).toEqual([]);
  });

  it('measures each fragment once, so that fragments spread many times cost nothing more', () => {
    // F20 spreads F19 twice, which spreads F18 twice…: 2^20 paths, 20 fragments.
    const fragments = Array.from({ length: 20 }, (_, i) => `fragment F${i + 1} on Node { id a: child { ...F${i} } b: child { ...F${i} } }`);
    const query = `{ node { ...F20 } } fragment F0 on Node { id } ${fragments.join(' ')}`;
    const started = performance.now();
    expect(errors(query, 50)).toEqual([]);
    expect(errors(query, 10)).toEqual(['The operation nests fields 21 levels deep; the limit is 10 (GRAPHQL_MAX_DEPTH)']);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
