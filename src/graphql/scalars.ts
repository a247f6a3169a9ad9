import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { isoSeconds } from '../events/payloads.js';

/** DateTime: ISO 8601 in UTC with Z, as in the webhook payloads; input accepts any offset. */
export const DateTime = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  name: 'DateTime',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}`);
    return isoSeconds(date);
  },
});

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `node`: the value in the query text, when it came from there, so the error points at it. */
function parseDate(value: unknown, node?: ValueNode): string {
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!match || !date || date.toISOString().slice(0, 10) !== value) {
    throw new GraphQLError(`Date ${JSON.stringify(value)} is not a calendar date in the form YYYY-MM-DD`, {
      nodes: node,
      extensions: { code: 'BAD_USER_INPUT', value },
    });
  }
  return value as string;
}

/** Date: a calendar date, YYYY-MM-DD, and a real one (2025-02-30 is refused). */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD.',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value)),
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Date must be a string in the form YYYY-MM-DD', { nodes: ast, extensions: { code: 'BAD_USER_INPUT' } });
    return parseDate(ast.value, ast);
  },
});

/** Deepest nesting of objects and arrays a JSON input may have (`{"a": [1]}` is 2 deep). */
export const MAX_JSON_DEPTH = 32;

/** How deep a value nests, counted without recursion (a value sent 100,000 levels deep must not exhaust the stack); stops past `limit`. */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: [value: unknown, depth: number][] = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}

function assertJsonDepth(value: unknown, node?: ValueNode): unknown {
  const depth = jsonDepth(value, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) {
    throw new GraphQLError(`JSON nests more than ${MAX_JSON_DEPTH} levels deep; the limit is ${MAX_JSON_DEPTH}`, {
      nodes: node,
      extensions: { code: 'BAD_USER_INPUT', limit: MAX_JSON_DEPTH },
    });
  }
  return value;
}

/** JSON: any JSON value, nested at most MAX_JSON_DEPTH deep. */
export const JSONScalar = new GraphQLScalarType({
  ...JSONResolver.toConfig(),
  parseValue: (value) => assertJsonDepth(value),
  parseLiteral: (ast, variables) => assertJsonDepth(JSONResolver.parseLiteral(ast, variables), ast),
});
