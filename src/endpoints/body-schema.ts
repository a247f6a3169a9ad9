import {
  Kind,
  getNamedType,
  getOperationAST,
  isAbstractType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/**
 * The JSON Schema (2020-12) of the body an endpoint's document produces: the GraphQL result
 * `{"data": {…}}` (with `errors` beside it when a field could not be resolved), derived from the
 * document and the schema as GraphQL execution shapes a result. Each selected field under its
 * response key (alias or name), with its type, nullability, enum values and lists; fragments
 * merged where their type condition applies; `__typename` as the type's name; a field under
 * @skip or @include whose condition is a variable may be absent. An abstract type is one of its
 * possible object types.
 */

export type JsonSchema = { [keyword: string]: unknown };

const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** How each scalar serializes (src/graphql/scalars.ts for the custom ones). */
const SCALAR_SCHEMAS: Record<string, JsonSchema> = {
  ID: { type: 'string' },
  String: { type: 'string' },
  Int: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
  Float: { type: 'number' },
  Boolean: { type: 'boolean' },
  DateTime: { type: 'string', format: 'date-time' },
  Date: { type: 'string', format: 'date' },
  JSON: {},
};

/** A GraphQL error as execution writes it into the result. */
const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    message: { type: 'string' },
    locations: {
      type: 'array',
      items: { type: 'object', properties: { line: { type: 'integer' }, column: { type: 'integer' } }, required: ['line', 'column'], additionalProperties: false },
    },
    path: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
    extensions: { type: 'object' },
  },
  required: ['message'],
  additionalProperties: false,
};

const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

/** Whether @skip or @include leaves a selection out always (false), keeps it always (true), or decides by a variable (undefined). */
function included(directives: readonly DirectiveNode[] | undefined): boolean | undefined {
  let always: boolean | undefined = true;
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const condition = directive.arguments?.find((a) => a.name.value === 'if')?.value;
    if (condition?.kind !== Kind.BOOLEAN) {
      always = undefined;
      continue;
    }
    if (condition.value === (name === 'skip')) return false;
  }
  return always;
}

/** Whether a fragment's type condition holds for objects of `type`. */
function applies(schema: GraphQLSchema, typeCondition: string | undefined, type: GraphQLObjectType): boolean {
  if (!typeCondition || typeCondition === type.name) return true;
  const condition = schema.getType(typeCondition);
  return condition !== undefined && isAbstractType(condition) && schema.isSubType(condition, type);
}

/** A selection set, and whether what it selects is always there (false under a @skip or @include that a variable decides). */
type Selections = { selectionSet: SelectionSetNode; always: boolean };

/** Each occurrence of a response key, with whether it is always there. */
type Occurrence = { node: FieldNode; always: boolean };
type Collected = Map<string, Occurrence[]>;

/** The fields a selection set asks of an object of `type`, by response key, as execution collects them. */
function collectFields(schema: GraphQLSchema, fragments: Fragments, type: GraphQLObjectType, selectionSet: SelectionSetNode, always: boolean, into: Collected): Collected {
  for (const selection of selectionSet.selections) {
    const inclusion = included(selection.directives);
    if (inclusion === false) continue;
    const kept = always && inclusion === true;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      into.set(key, [...(into.get(key) ?? []), { node: selection, always: kept }]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(schema, selection.typeCondition?.name.value, type)) collectFields(schema, fragments, type, selection.selectionSet, kept, into);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (fragment && applies(schema, fragment.typeCondition.name.value, type)) collectFields(schema, fragments, type, fragment.selectionSet, kept, into);
    }
  }
  return into;
}

function objectSchema(schema: GraphQLSchema, fragments: Fragments, type: GraphQLObjectType, selections: readonly Selections[]): JsonSchema {
  const fields: Collected = new Map();
  for (const { selectionSet, always } of selections) collectFields(schema, fragments, type, selectionSet, always, fields);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, occurrences] of fields) {
    const name = occurrences[0]!.node.name.value;
    properties[key] = name === '__typename' ? { type: 'string', const: type.name } : fieldSchema(schema, fragments, type.getFields()[name]!, occurrences);
    if (occurrences.some((o) => o.always)) required.push(key);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

function fieldSchema(schema: GraphQLSchema, fragments: Fragments, field: GraphQLField<unknown, unknown>, occurrences: readonly Occurrence[]): JsonSchema {
  const selections = occurrences.flatMap(({ node, always }) => (node.selectionSet ? [{ selectionSet: node.selectionSet, always }] : []));
  const described = valueSchema(schema, fragments, field.type, selections);
  return field.description ? { description: field.description, ...described } : described;
}

function valueSchema(schema: GraphQLSchema, fragments: Fragments, type: GraphQLOutputType, selections: readonly Selections[]): JsonSchema {
  if (isNonNullType(type)) return nonNullSchema(schema, fragments, type.ofType, selections);
  return nullable(nonNullSchema(schema, fragments, type, selections));
}

function nonNullSchema(schema: GraphQLSchema, fragments: Fragments, type: GraphQLOutputType, selections: readonly Selections[]): JsonSchema {
  if (isListType(type)) return { type: 'array', items: valueSchema(schema, fragments, type.ofType, selections) };
  const named = getNamedType(type);
  if (isScalarType(named)) return SCALAR_SCHEMAS[named.name] ?? {};
  if (isEnumType(named)) return { type: 'string', enum: named.getValues().map((value) => value.name) };
  if (isObjectType(named)) return objectSchema(schema, fragments, named, selections);
  return { anyOf: schema.getPossibleTypes(named).map((possible) => objectSchema(schema, fragments, possible, selections)) };
}

/** The body schema of a document already checked against the schema (checkSubscriptionDocument). */
export function endpointBodySchema(schema: GraphQLSchema, document: DocumentNode): JsonSchema {
  const operation = getOperationAST(document);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) throw new Error('the document has no operation the schema can run');
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
  );
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: 'The GraphQL result of the subscription document for one event',
    type: 'object',
    properties: {
      // A root field that could not be resolved is null, and being non-null, so is data.
      data: nullable(objectSchema(schema, fragments, root, [{ selectionSet: operation.selectionSet, always: true }])),
      errors: { type: 'array', minItems: 1, items: ERROR_SCHEMA },
    },
    required: ['data'],
    additionalProperties: false,
  };
}
