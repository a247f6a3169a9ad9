import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';

/**
 * The one place errors become what a client sees: our named errors keep their message and
 * code; GraphQL's own (syntax, validation, variable coercion) pass as they are; anything
 * else is masked and logged with an id the client can quote.
 */
export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      return { ...formatted, message: original.message, extensions: { ...original.details, code: original.code } };
    }
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
