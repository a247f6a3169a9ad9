import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, Kind, type GraphQLFormattedError } from 'graphql';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../db/unavailable.js';
import { AppError, describeValue } from '../errors.js';
import { currentRequestScope } from '../request-scope.js';

const VALUE_KINDS: ReadonlySet<string> = new Set([
  Kind.INT,
  Kind.FLOAT,
  Kind.STRING,
  Kind.BOOLEAN,
  Kind.NULL,
  Kind.ENUM,
  Kind.LIST,
  Kind.OBJECT,
]);

/**
 * A value written in the query that its type refuses (`docDate: "2025-02-30"`, `quantity: "two"`):
 * graphql reports it at the value itself, while every other validation error points at a field,
 * an argument or a variable. The same value sent as a variable is BAD_USER_INPUT already.
 */
function isBadLiteralValue(error: unknown): boolean {
  const nodes = error instanceof GraphQLError ? error.nodes : undefined;
  return error instanceof GraphQLError && error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && !!nodes?.length && nodes.every((n) => VALUE_KINDS.has(n.kind));
}

/** Longest quoted value an error message keeps whole; a longer one is cut to its start and its length. */
const MAX_QUOTED = 80;
/** Longest message an error may have once its quoted values are cut. */
const MAX_MESSAGE = 2_000;
/** A JSON string as graphql and describeValue quote values in messages. */
const QUOTED = /"(?:[^"\\]|\\.)*"/g;

function clipMessage(message: string): string {
  const cut = message.replace(QUOTED, (quoted) => (quoted.length > MAX_QUOTED ? `${quoted.slice(0, MAX_QUOTED)}…" (${quoted.length} characters)` : quoted));
  return cut.length > MAX_MESSAGE ? `${cut.slice(0, MAX_MESSAGE)}… (${cut.length} characters)` : cut;
}

/** An extension as a client may see it: a long string or a large object becomes a short prefix of it. */
function clipExtension(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_QUOTED ? describeValue(value, MAX_QUOTED) : value;
  if (value === null || typeof value !== 'object') return value;
  const text = describeValue(value, MAX_QUOTED);
  return text.includes('…') ? text : value;
}

/**
 * Whatever an error says, it echoes at most a short prefix of an offending value: a request
 * with many aliases of a bad 500 KB value gets a small answer, not many copies of the value.
 */
function clipped(error: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = error.extensions && Object.fromEntries(Object.entries(error.extensions).map(([key, value]) => [key, clipExtension(value)]));
  return { ...error, message: clipMessage(error.message), ...(extensions && { extensions }) };
}

/** The answer to an operation that needed the database while it could not be reached. */
export function serviceUnavailable(): GraphQLError {
  return new GraphQLError(`The database cannot be reached; retry in ${UNAVAILABLE_RETRY_AFTER_SECONDS} seconds`, {
    extensions: {
      code: 'SERVICE_UNAVAILABLE',
      retryAfter: UNAVAILABLE_RETRY_AFTER_SECONDS,
      http: { status: 503, headers: new Map([['retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS)]]) },
    },
  });
}

/**
 * The one place errors become what a client sees: our named errors keep their message and
 * code; a bad value is BAD_USER_INPUT whether it came as a variable or in the query text;
 * a database that cannot be reached is SERVICE_UNAVAILABLE, to be retried; GraphQL's other
 * errors (syntax, validation) pass as they are; anything else is masked and logged with an
 * id the client can quote. Offending values are cut to a short prefix. Each error of an HTTP
 * request names the request's id.
 */
export function formatError(log: Logger) {
  const format = formatOne(log);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = clipped(format(formatted, error));
    const scope = currentRequestScope();
    return scope ? { ...result, extensions: { ...result.extensions, requestId: scope.requestId } } : result;
  };
}

function formatOne(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (isDatabaseUnavailable(original)) {
      log.warn({ err: original, path: formatted.path }, 'the database cannot be reached');
      const { message, extensions } = serviceUnavailable();
      const { http: _http, ...shown } = extensions;
      return { message, locations: formatted.locations, path: formatted.path, extensions: shown };
    }
    if (original instanceof AppError) {
      return { ...formatted, message: original.message, extensions: { ...original.details, code: original.code } };
    }
    if (isBadLiteralValue(original)) return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } };
    if (original instanceof GraphQLError && original.extensions?.code) return formatted;
    const code = formatted.extensions?.code;
    if (code && code !== 'INTERNAL_SERVER_ERROR') return formatted;
    const errorId = randomUUID();
    log.error({ err: original, errorId, path: formatted.path }, 'unexpected error in a GraphQL operation');
    return {
      message: `Internal error (id ${errorId})`,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
    };
  };
}
