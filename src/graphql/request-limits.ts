import type { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { costLimitErrors } from './cost-limit.js';
import { nulInputError } from './text-inputs.js';

/**
 * What is checked of an operation with its variables before it runs, over HTTP and WebSocket
 * alike: text without NUL, a cost within `maxCost`, once-per-request fields at most once.
 * Not a validation rule: Apollo validates a document once and caches it, whatever the variables.
 */
export function requestLimitErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  maxCost: number,
): GraphQLError[] {
  const nul = nulInputError(document, variables);
  return nul ? [nul] : costLimitErrors(schema, document, operation, variables, maxCost);
}
