import {
  GraphQLError,
  Kind,
  TypeInfo,
  getDirectiveValues,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { grants, type ApiScope } from '../auth/scopes.js';

/** The directive of schema.graphql that gives each field the scope it needs. */
export const SCOPE_DIRECTIVE = 'scope';

/** The scope a field of the schema declares, or undefined when it declares none. */
export function declaredScope(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>): ApiScope | undefined {
  const directive = schema.getDirective(SCOPE_DIRECTIVE);
  if (!directive || !field.astNode) return undefined;
  return getDirectiveValues(directive, field.astNode)?.requires as ApiScope | undefined;
}

function isRootType(schema: GraphQLSchema, type: GraphQLNamedType | null | undefined): boolean {
  return !!type && (type === schema.getQueryType() || type === schema.getMutationType() || type === schema.getSubscriptionType());
}

/** The operation and the fragments it spreads, directly or through other fragments. */
function reachable(document: DocumentNode, operation: OperationDefinitionNode): (OperationDefinitionNode | FragmentDefinitionNode)[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const seen = new Set<string>();
  const nodes: (OperationDefinitionNode | FragmentDefinitionNode)[] = [operation];
  for (let i = 0; i < nodes.length; i++) {
    visit(nodes[i]!, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          nodes.push(fragment);
        }
      },
    });
  }
  return nodes;
}

/** A field of an operation and the scope it needs, in the order the operation reads them. */
type Requirement = { node: FieldNode; coordinate: string; needed: ApiScope };

/**
 * The scopes each operation needs, found once per operation: Apollo keeps a parsed document
 * for each query text and hands the same operation object to every request that sends it.
 */
const requirementsOf = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, Requirement[]>>();

function requirements(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Requirement[] {
  let known = requirementsOf.get(schema);
  if (!known) requirementsOf.set(schema, (known = new WeakMap()));
  const cached = known.get(operation);
  if (cached) return cached;
  const found: Requirement[] = [];
  for (const node of reachable(document, operation)) {
    const typeInfo = new TypeInfo(schema);
    visit(
      node,
      visitWithTypeInfo(typeInfo, {
        Field(fieldNode) {
          const field = typeInfo.getFieldDef();
          const parent = typeInfo.getParentType();
          // Introspection (__schema, __type, __typename) is open to every token: the schema is public.
          if (!field || !parent || field.name.startsWith('__')) return;
          const needed = declaredScope(schema, field) ?? (isRootType(schema, parent) ? 'ADMIN' : undefined);
          if (needed) found.push({ node: fieldNode, coordinate: `${parent.name}.${field.name}`, needed });
        },
      }),
    );
  }
  known.set(operation, found);
  return found;
}

/**
 * FORBIDDEN for the first field of the operation that the scopes do not reach, before anything
 * runs: an operation is allowed whole or refused whole, so a refused mutation changes nothing.
 * A root field that declares no scope is refused to everyone but ADMIN (the schema test keeps
 * there being none). @skip and @include are not looked at: a field the token may not use is
 * refused even where a variable would leave it out.
 */
export function scopeError(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, scopes: readonly ApiScope[]): GraphQLError | undefined {
  const refused = requirements(schema, document, operation).find((r) => !grants(scopes, r.needed));
  if (!refused) return undefined;
  const { node, coordinate, needed } = refused;
  return new GraphQLError(`${coordinate} needs the ${needed} scope; this token has ${scopes.join(', ')}`, {
    nodes: [node],
    extensions: { code: 'FORBIDDEN', scope: needed, field: coordinate, tokenScopes: [...scopes] },
  });
}
