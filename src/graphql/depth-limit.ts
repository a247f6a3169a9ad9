import { GraphQLError, Kind, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';

/**
 * How deep the standard introspection query (graphql's getIntrospectionQuery, every option on)
 * nests: `__schema { types { fields { args { type { ofType ×9 } } } } }`. Tools such as GraphiQL and
 * codegen send it, so introspection may nest this deep even under a lower GRAPHQL_MAX_DEPTH.
 */
export const INTROSPECTION_DEPTH = 14;

const INTROSPECTION_ROOTS: ReadonlySet<string> = new Set(['__schema', '__type']);

/**
 * Refuses an operation whose fields nest deeper than `maxDepth` below its root fields
 * (`{ contacts { edges { node { id } } } }` is 3 deep). Introspection counts like any other
 * field; below `__schema` and `__type` the limit is at least INTROSPECTION_DEPTH.
 * An unknown fragment or a fragment cycle counts as nothing here: graphql's own rules
 * (KnownFragmentNames, NoFragmentCycles) report those. Each fragment is measured once, so a
 * document that spreads fragments many times costs no more than its size.
 */
export function depthLimit(maxDepth: number): ValidationRule {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const measured = new Map<string, number>();
    const measuring = new Set<string>();

    const fragmentDepth = (name: string): number => {
      const known = measured.get(name);
      if (known !== undefined) return known;
      const fragment = fragments.get(name);
      if (!fragment || measuring.has(name)) return 0;
      measuring.add(name);
      const depth = depthOf(fragment.selectionSet);
      measuring.delete(name);
      measured.set(name, depth);
      return depth;
    };

    const depthOf = (selectionSet: SelectionSetNode): number => {
      let max = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.selectionSet) max = Math.max(max, 1 + depthOf(selection.selectionSet));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          max = Math.max(max, depthOf(selection.selectionSet));
        } else {
          max = Math.max(max, fragmentDepth(selection.name.value));
        }
      }
      return max;
    };

    /** The root fields of a selection set, through the fragments that hold them. */
    const rootFields = (selectionSet: SelectionSetNode, spread = new Set<string>()): FieldNode[] =>
      selectionSet.selections.flatMap((selection) => {
        if (selection.kind === Kind.FIELD) return [selection];
        if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, spread);
        const fragment = fragments.get(selection.name.value);
        if (!fragment || spread.has(fragment.name.value)) return [];
        spread.add(fragment.name.value);
        return rootFields(fragment.selectionSet, spread);
      });

    return {
      OperationDefinition(node) {
        let depth = 0;
        let limit = maxDepth;
        for (const field of rootFields(node.selectionSet)) {
          if (!field.selectionSet) continue;
          const fieldDepth = 1 + depthOf(field.selectionSet);
          const fieldLimit = INTROSPECTION_ROOTS.has(field.name.value) ? Math.max(maxDepth, INTROSPECTION_DEPTH) : maxDepth;
          if (fieldDepth - fieldLimit > depth - limit) [depth, limit] = [fieldDepth, fieldLimit];
        }
        if (depth > limit) {
          const name = node.name ? `Operation "${node.name.value}"` : 'The operation';
          context.reportError(
            new GraphQLError(`${name} nests fields ${depth} levels deep; the limit is ${limit} (GRAPHQL_MAX_DEPTH${limit > maxDepth ? ', raised for introspection' : ''})`, {
              nodes: node,
              extensions: { depth, limit },
            }),
          );
        }
      },
    };
  };
}
