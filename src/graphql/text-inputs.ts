import { GraphQLError, Kind, visit, BREAK, type DocumentNode, type StringValueNode } from 'graphql';
import { describeValue } from '../errors.js';

const NUL = '\u0000';

function nulError(message: string, field: string, value: string, node?: StringValueNode): GraphQLError {
  return new GraphQLError(`${message} holds a NUL character (U+0000), which no text may hold: ${describeValue(value)}`, {
    nodes: node,
    extensions: { code: 'BAD_USER_INPUT', field, value: describeValue(value) },
  });
}

/**
 * The one check of every text a request brings, whatever its type (String, ID, a filter, the
 * keys and strings inside JSON): PostgreSQL cannot store NUL in text or jsonb, so NUL is
 * refused before anything runs. It reads the string literals of the document and the raw
 * variables, keys included; iteratively, so that a deeply nested variable cannot exhaust the stack.
 */
export function nulInputError(document: DocumentNode, variables: Readonly<Record<string, unknown>> | null | undefined): GraphQLError | undefined {
  const found = literalNulError(document);
  if (found || !variables) return found;
  return variableNulError(variables);
}

/** The string literal holding NUL (or null: none), by document: Apollo reuses a parsed document, so each is walked once. */
const literalsWithNul = new WeakMap<DocumentNode, StringValueNode | null>();

function literalNulError(document: DocumentNode): GraphQLError | undefined {
  let offending = literalsWithNul.get(document);
  if (offending === undefined) {
    offending = null;
    visit(document, {
      [Kind.STRING](node) {
        if (!node.value.includes(NUL)) return undefined;
        offending = node;
        return BREAK;
      },
    });
    literalsWithNul.set(document, offending);
  }
  return offending ? nulError('A string in the query', 'query', offending.value, offending) : undefined;
}

function variableNulError(variables: Readonly<Record<string, unknown>>): GraphQLError | undefined {
  // Paths are built only for the value refused: parent links keep a deep variable linear to walk.
  const steps: { parent: number; step: string }[] = [];
  const pathOf = (index: number): string => {
    const parts: string[] = [];
    for (let i = index; i >= 0; i = steps[i]!.parent) parts.push(steps[i]!.step);
    return parts.reverse().join('');
  };
  const pending: [value: unknown, parent: number, step: string][] = Object.entries(variables).map(([name, value]) => [value, -1, `$${name}`]);
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, parent, step] = next;
    const index = steps.push({ parent, step }) - 1;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return nulError(`Variable "${pathOf(index)}"`, pathOf(index), value);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => pending.push([item, index, `[${i}]`]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes(NUL)) return nulError(`A key of variable "${pathOf(index)}"`, pathOf(index), key);
        pending.push([item, index, `.${key}`]);
      }
    }
  }
  return undefined;
}
