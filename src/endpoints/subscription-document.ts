import {
  GraphQLError,
  Kind,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ValidationError, describeValue } from '../errors.js';
import { costLimitErrors } from '../graphql/cost-limit.js';
import { depthLimit } from '../graphql/depth-limit.js';
import { MAX_QUERY_TOKENS } from '../graphql/limits.js';
import { EVENT_FIELDS, EVENT_SELECTIONS, type EventField, type EventSelection } from '../subscriptions/event-selections.js';

/** An endpoint's document, checked against the schema (its variables coerced once to check them): what the materialiser executes. */
export type SubscriptionDocument = {
  text: string;
  document: DocumentNode;
  /** The variables as given (stored, shown back, and coerced by execution as any request's). */
  variables: Record<string, unknown> | null;
  selection: EventSelection;
};

export type DocumentLimits = { maxDepth: number; maxCost: number };

/** The most characters a stored subscription document may have. */
const MAX_DOCUMENT_LENGTH = 20_000;

/** A GraphQL error as a BAD_USER_INPUT of the input field, naming its message and where in the document it is. */
function refused(field: string, error: GraphQLError | string, text: string): ValidationError {
  const message = typeof error === 'string' ? error : error.message;
  const locations = typeof error === 'string' ? undefined : error.locations;
  const where = locations?.length ? ` (line ${locations[0]!.line}, column ${locations[0]!.column})` : '';
  return new ValidationError(`${field} is not a subscription an endpoint can use: ${message}${where}`, {
    field,
    value: text.length > 200 ? `${text.slice(0, 200)}…` : text,
    graphqlError: message,
    ...(locations?.length && { locations }),
  });
}

/**
 * Checks a subscription document as a webhook endpoint's definition: it parses, it is valid
 * against the schema (within the depth and cost limits of every request), it holds exactly one
 * operation, a subscription of one root field whose items are events of the log, and its
 * variables fit their types. The root field's own arguments (filters) are checked as the
 * WebSocket resolver checks them. `after` is the endpoint's, not the document's: an endpoint
 * reads the log from its own stored cursor.
 */
export function checkSubscriptionDocument(
  schema: GraphQLSchema,
  text: string,
  variables: Record<string, unknown> | null | undefined,
  limits: DocumentLimits,
): SubscriptionDocument {
  const field = 'subscription';
  if (text.length > MAX_DOCUMENT_LENGTH) throw refused(field, `it is ${text.length} characters long; the limit is ${MAX_DOCUMENT_LENGTH}`, text);
  let document: DocumentNode;
  try {
    document = parse(text, { maxTokens: MAX_QUERY_TOKENS });
  } catch (err) {
    throw refused(field, err as GraphQLError, text);
  }
  const errors = validate(schema, document, [...specifiedRules, depthLimit(limits.maxDepth)]);
  if (errors.length) throw refused(field, errors[0]!, text);
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) throw refused(field, `it holds ${operations.length} operations; an endpoint runs exactly one`, text);
  const operation = getOperationAST(document)!;
  if (operation.operation !== 'subscription') {
    throw refused(field, new GraphQLError(`its operation is a ${operation.operation}; an endpoint runs a subscription`, { nodes: operation }), text);
  }
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) {
    throw new ValidationError(`variables ${describeValue(variables)} is not an object of variable values`, { field: 'variables', value: variables });
  }
  const coercion = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coercion.errors) throw new ValidationError(`variables do not fit the document: ${coercion.errors[0]!.message}`, { field: 'variables', value: variables ?? null });
  const costErrors = costLimitErrors(schema, document, operation, coercion.coerced, limits.maxCost);
  if (costErrors.length) throw refused(field, costErrors[0]!, text);

  const root = operation.selectionSet.selections[0]!;
  if (root.kind !== Kind.FIELD) throw refused(field, new GraphQLError('its root field must be written out, not in a fragment', { nodes: root }), text);
  const name = root.name.value;
  if (!(EVENT_FIELDS as readonly string[]).includes(name)) {
    const why =
      name === 'webhookDeliveryUpdated'
        ? 'a webhook about webhook deliveries would feed itself'
        : `its items are not events of the log; an endpoint subscribes to ${EVENT_FIELDS.join(', ')}`;
    throw refused(field, new GraphQLError(`${name} cannot be an endpoint's subscription: ${why}`, { nodes: root }), text);
  }
  const args = getArgumentValues(schema.getSubscriptionType()!.getFields()[name]!, root as FieldNode, coercion.coerced);
  if (args['after'] != null) {
    throw refused(field, new GraphQLError("events(after:) is the endpoint's own cursor: give it as the input's after", { nodes: root }), text);
  }
  let selection: EventSelection;
  try {
    selection = EVENT_SELECTIONS[name as EventField](args);
  } catch (err) {
    if (err instanceof ValidationError) throw refused(field, new GraphQLError(err.message, { nodes: root }), text);
    throw err;
  }
  return { text, document, variables: variables ?? null, selection };
}

/**
 * An endpoint's stored document, checked again as the materialiser checks it; undefined when the
 * schema no longer accepts it (after an upgrade that changed a field it selects, say).
 */
export function storedDocument(
  deps: { checkDocument(text: string, variables: Record<string, unknown> | null): SubscriptionDocument },
  endpoint: { subscription: string; variables: Record<string, unknown> | null },
): SubscriptionDocument | undefined {
  try {
    return deps.checkDocument(endpoint.subscription, endpoint.variables);
  } catch (err) {
    if (err instanceof ValidationError) return undefined;
    throw err;
  }
}
