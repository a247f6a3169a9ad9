import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, Kind, type GraphQLFormattedError } from 'graphql';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../db/unavailable.js';
import { AppError } from '../errors.js';
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
 * id the client can quote. Each error of an HTTP request names the request's id.
 */
export function formatError(log: Logger) {
  const format = formatOne(log);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = format(formatted, error);
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
