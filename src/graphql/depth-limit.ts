import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';

/**
 * Refuses an operation whose fields nest deeper than `maxDepth` below its root fields
 * (`{ contacts { edges { node { id } } } }` is 3 deep). Introspection fields are not counted.
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
          if (selection.selectionSet && !selection.name.value.startsWith('__')) max = Math.max(max, 1 + depthOf(selection.selectionSet));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          max = Math.max(max, depthOf(selection.selectionSet));
        } else {
          max = Math.max(max, fragmentDepth(selection.name.value));
        }
      }
      return max;
    };

    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet);
        if (depth > maxDepth) {
          const name = node.name ? `Operation "${node.name.value}"` : 'The operation';
          context.reportError(
            new GraphQLError(`${name} nests fields ${depth} levels deep; the limit is ${maxDepth} (GRAPHQL_MAX_DEPTH)`, {
              nodes: node,
              extensions: { depth, limit: maxDepth },
            }),
          );
        }
      },
    };
  };
}
