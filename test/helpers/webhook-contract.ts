import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildWebhookContract } from '../../src/webhooks/contract.js';
import type { JsonSchema } from '../../src/endpoints/body-schema.js';

/**
 * The webhook contract as the tests' receivers hold a body to it: the schemas of the document
 * GET /webhooks/openapi.json serves, compiled by a JSON Schema 2020-12 validator with the
 * formats checked (date-time, date, uri).
 */

const CONTRACT_ID = 'https://recordengine.invalid/webhooks/openapi.json';

const contract = buildWebhookContract();
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
// Only the components: the rest of the OpenAPI document is not a schema. Their $refs
// (#/components/schemas/…) resolve against this $id as they do in the document.
ajv.addKeyword('components');
ajv.addSchema({ $id: CONTRACT_ID, components: { schemas: contract.components.schemas } });

const byEventType = new Map<string, ValidateFunction>();

/** The validator of the body of an event type as the contract publishes it; undefined for a type the contract does not have. */
export function eventBodyValidator(eventType: string): ValidateFunction | undefined {
  const cached = byEventType.get(eventType);
  if (cached) return cached;
  const webhook = contract.webhooks[eventType];
  if (!webhook) return undefined;
  const { $ref } = (webhook.post as { requestBody: { content: { 'application/json': { schema: { $ref: string } } } } }).requestBody.content['application/json'].schema;
  const validate = ajv.compile({ $ref: `${CONTRACT_ID}${$ref}` });
  byEventType.set(eventType, validate);
  return validate;
}

/** A validator of a schema of its own (an endpoint's bodySchema). */
export function schemaValidator(schema: JsonSchema): ValidateFunction {
  return ajv.compile(schema);
}

/** Why a body is not what its schema says, or undefined when it is. */
export function contractViolation(validate: ValidateFunction, body: unknown): string | undefined {
  if (validate(body)) return undefined;
  return ajv.errorsText(validate.errors, { separator: '; ', dataVar: 'body' });
}
