import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  getNamedType,
  isObjectType,
  isInterfaceType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { ApiScope } from '../../src/auth/scopes.js';
import { declaredScope } from '../../src/graphql/scope-check.js';

/** The service's schema as written, without resolvers: what the scope rules are read from. */
export function schemaOfService(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8') });
}

/** An id that names nothing: an allowed operation then fails NOT_FOUND instead of changing a row the test relies on. */
const UNKNOWN_ID = '999999';

const SCALAR_SAMPLES: Record<string, string> = {
  ID: JSON.stringify(UNKNOWN_ID),
  String: '"sample"',
  Int: '1',
  Float: '1',
  Boolean: 'true',
  DateTime: '"2099-01-01T00:00:00Z"',
  Date: '"2025-01-01"',
  JSON: '{}',
};

/** A literal of the type, with only the required fields of input objects. */
function sampleLiteral(type: GraphQLInputType): string {
  if (type instanceof GraphQLNonNull) return sampleLiteral(type.ofType);
  if (type instanceof GraphQLList) return `[${sampleLiteral(type.ofType)}]`;
  if (type instanceof GraphQLEnumType) return type.getValues()[0]!.name;
  if (type instanceof GraphQLInputObjectType) {
    const fields = Object.values(type.getFields()).filter((f) => f.type instanceof GraphQLNonNull && f.defaultValue === undefined);
    return `{ ${fields.map((f) => `${f.name}: ${sampleLiteral(f.type)}`).join(', ')} }`;
  }
  if (type instanceof GraphQLScalarType && SCALAR_SAMPLES[type.name]) return SCALAR_SAMPLES[type.name]!;
  throw new Error(`No sample for the input type ${String(type)}`);
}

export type OperationSample = {
  kind: 'query' | 'mutation' | 'subscription';
  field: string;
  /** The scope the schema declares for the field (undefined: none, which the schema test refuses). */
  requires: ApiScope | undefined;
  /** A valid document calling the field alone, with its required arguments. */
  document: string;
};

function sampleOf(schema: GraphQLSchema, kind: OperationSample['kind'], field: GraphQLField<unknown, unknown>): OperationSample {
  const required = field.args.filter((a) => a.type instanceof GraphQLNonNull && a.defaultValue === undefined);
  const args = required.length ? `(${required.map((a) => `${a.name}: ${sampleLiteral(a.type)}`).join(', ')})` : '';
  const output = getNamedType(field.type);
  const selection = isObjectType(output) || isInterfaceType(output) ? ' { __typename }' : '';
  return { kind, field: field.name, requires: declaredScope(schema, field), document: `${kind} { ${field.name}${args}${selection} }` };
}

/** Every operation of the schema, each as a document of its own: generated, never listed by hand. */
export function operationSamples(schema: GraphQLSchema): OperationSample[] {
  const roots: [OperationSample['kind'], GraphQLObjectType | null | undefined][] = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([kind, type]) => (type ? Object.values(type.getFields()).map((f) => sampleOf(schema, kind, f)) : []));
}
