import {
  GraphQLError,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInputObjectType,
  isInterfaceType,
  isEnumType,
  isUnionType,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { MAX_PROFILE_FIELDS } from '../domain/profiles/profile.service.js';
import { LIMITS } from '../domain/validate.js';
import { MAX_CONDITIONS } from '../rules/definition.js';
import { MAX_PAGE_SIZE } from './relay.js';

/** The length assumed for a list that has no `first` and no documented bound: the default page size. */
const DEFAULT_LIST_LENGTH = 50;

/**
 * A JSON value (an event's payload, extracted fields, external references) weighs as much as
 * this many plain fields: it is usually hundreds of bytes where a plain field is a few.
 */
const JSON_VALUE_COST = 100;

/** Lists without `first` whose length the service bounds itself. */
const LIST_LENGTHS: Readonly<Record<string, number>> = {
  'ExtractionProfile.fields': MAX_PROFILE_FIELDS,
  'Document.lineItems': LIMITS.lineItems,
  'Rule.conditions': MAX_CONDITIONS,
};

/**
 * Fields that each do outbound or bulk work (a webhook POST, re-queuing a channel's events):
 * aliases would multiply that work, so a request may select each of them once.
 */
export const ONCE_PER_REQUEST: ReadonlySet<string> = new Set(['testWebhook', 'testWebhookEndpoint', 'replayWebhooks']);

/** The introspection lists' real lengths in this schema: their longest instance, as a bound. */
const introspectionLengths = new WeakMap<GraphQLSchema, Readonly<Record<string, number>>>();

function introspectionListLengths(schema: GraphQLSchema): Readonly<Record<string, number>> {
  let lengths = introspectionLengths.get(schema);
  if (lengths) return lengths;
  const types = Object.values(schema.getTypeMap());
  const most = (counts: number[]) => Math.max(1, ...counts);
  const fieldsOf = (t: (typeof types)[number]) => (isObjectType(t) || isInterfaceType(t) ? Object.values(t.getFields()) : []);
  const directives = schema.getDirectives();
  lengths = {
    '__Schema.types': types.length,
    '__Schema.directives': directives.length,
    '__Type.fields': most(types.map((t) => fieldsOf(t).length)),
    '__Type.inputFields': most(types.map((t) => (isInputObjectType(t) ? Object.keys(t.getFields()).length : 0))),
    '__Type.enumValues': most(types.map((t) => (isEnumType(t) ? t.getValues().length : 0))),
    '__Type.interfaces': most(types.map((t) => (isObjectType(t) || isInterfaceType(t) ? t.getInterfaces().length : 0))),
    '__Type.possibleTypes': most(types.map((t) => (isUnionType(t) ? t.getTypes().length : isInterfaceType(t) ? schema.getPossibleTypes(t).length : 0))),
    '__Field.args': most(types.flatMap((t) => fieldsOf(t).map((f) => f.args.length))),
    '__Directive.args': most(directives.map((d) => d.args.length)),
    '__Directive.locations': most(directives.map((d) => d.locations.length)),
  };
  introspectionLengths.set(schema, lengths);
  return lengths;
}

function fieldDefinition(schema: GraphQLSchema, parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

export type CostReport = { cost: number; oncePerRequest: Map<string, number> };

/**
 * What an operation may cost at most, from its text and its variables, before it runs: each
 * field costs 1 (a JSON value JSON_VALUE_COST); a field with `first` multiplies what it selects
 * by its page size (the argument, or its default, at most MAX_PAGE_SIZE); a Relay `edges`
 * list is already counted by its connection's `first`; another list multiplies by its
 * documented bound, or the default page size. Fragments are measured once each.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): CostReport {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const measured = new Map<string, number>();
  const measuring = new Set<string>();
  const oncePerRequest = new Map<string, number>();
  const listLengths = { ...LIST_LENGTHS, ...introspectionListLengths(schema) };

  const pageSize = (field: FieldNode, definition: GraphQLField<unknown, unknown>): number | undefined => {
    const first = definition.args.find((a) => a.name === 'first');
    if (!first) return undefined;
    const node = field.arguments?.find((a) => a.name.value === 'first');
    let value: unknown = first.defaultValue;
    if (node) value = node.value.kind === Kind.VARIABLE ? (variables?.[node.value.name.value] ?? first.defaultValue) : valueFromAST(node.value, first.type, variables);
    // Anything that is not a page size is refused when the field runs; until then it counts as the largest.
    return typeof value === 'number' && Number.isInteger(value) ? Math.min(Math.max(value, 0), MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
  };

  const multiplier = (field: FieldNode, parent: GraphQLCompositeType, definition: GraphQLField<unknown, unknown>): number => {
    const page = pageSize(field, definition);
    if (page !== undefined) return page;
    if (!isListType(getNullableType(definition.type))) return 1;
    if (definition.name === 'edges' && parent.name.endsWith('Connection')) return 1;
    return listLengths[`${parent.name}.${definition.name}`] ?? DEFAULT_LIST_LENGTH;
  };

  const fragmentCost = (name: string): number => {
    const known = measured.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    // Unknown fragments and cycles are refused by graphql's own rules; here they count as nothing.
    if (!fragment || measuring.has(name)) return 0;
    const type = schema.getType(fragment.typeCondition.name.value);
    if (!isCompositeType(type)) return 0;
    measuring.add(name);
    const cost = selectionCost(fragment.selectionSet, type);
    measuring.delete(name);
    measured.set(name, cost);
    return cost;
  };

  const selectionCost = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        total += fragmentCost(selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (isCompositeType(type)) total += selectionCost(selection.selectionSet, type);
      } else {
        const definition = fieldDefinition(schema, parent, selection.name.value);
        if (!definition) continue;
        if (parent === schema.getMutationType() && ONCE_PER_REQUEST.has(definition.name)) {
          oncePerRequest.set(definition.name, (oncePerRequest.get(definition.name) ?? 0) + 1);
        }
        const type = getNamedType(definition.type);
        const own = type.name === 'JSON' ? JSON_VALUE_COST : 1;
        const below = selection.selectionSet && isCompositeType(type) ? selectionCost(selection.selectionSet, type) : 0;
        total += multiplier(selection, parent, definition) * (own + below);
      }
    }
    return total;
  };

  const root = schema.getRootType(operation.operation);
  return { cost: root ? selectionCost(operation.selectionSet, root) : 0, oncePerRequest };
}

/** The errors that refuse an operation over `maxCost`, or with a once-per-request field selected more than once. */
/** The costs of operations whose cost reads no variable, by operation: Apollo reuses a parsed document. */
const costOfOperation = new WeakMap<OperationDefinitionNode, ReturnType<typeof operationCost>>();

/**
 * operationCost(), computed once for an operation whose cost reads no variable (most: a
 * variable usually carries an id or a name, not a `first`), and again for every request of one
 * whose cost does. Which variables it reads is known by handing it a recording view of them.
 */
function cachedOperationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): ReturnType<typeof operationCost> {
  const cached = costOfOperation.get(operation);
  if (cached) return cached;
  let readVariable = false;
  const recording = new Proxy(variables ?? {}, {
    get(target, key) {
      readVariable = true;
      return Reflect.get(target, key);
    },
    has(target, key) {
      readVariable = true;
      return Reflect.has(target, key);
    },
  });
  const computed = operationCost(schema, document, operation, recording);
  if (!readVariable) costOfOperation.set(operation, computed);
  return computed;
}

export function costLimitErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  maxCost: number,
): GraphQLError[] {
  const { cost, oncePerRequest } = cachedOperationCost(schema, document, operation, variables);
  const errors: GraphQLError[] = [];
  const name = operation.name ? `Operation "${operation.name.value}"` : 'The operation';
  if (cost > maxCost) {
    errors.push(
      new GraphQLError(`${name} may cost ${cost}; the limit is ${maxCost} (GRAPHQL_MAX_COST): ask for smaller pages (first), fewer fields or fewer aliases`, {
        nodes: operation,
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', cost, limit: maxCost },
      }),
    );
  }
  for (const [field, count] of oncePerRequest) {
    if (count > 1) {
      errors.push(
        new GraphQLError(`${name} selects ${field} ${count} times; a request may select it once`, {
          nodes: operation,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED', field, count, limit: 1 },
        }),
      );
    }
  }
  return errors;
}
