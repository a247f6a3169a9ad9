import type { MikroORM } from '@mikro-orm/postgresql';
import type { Request, RequestHandler } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../db/unavailable.js';
import { endpointBodySchema } from '../endpoints/body-schema.js';
import { findEndpoint, type EndpointRow } from '../endpoints/endpoint-store.js';
import { storedDocument, type SubscriptionDocument } from '../endpoints/subscription-document.js';
import { ValidationError } from '../errors.js';
import { EVENT_TYPES } from '../events/event-types.js';
import { serviceUnavailable } from '../graphql/errors.js';
import { buildWebhookContract, contractText, withEndpointWebhook } from '../webhooks/contract.js';
import { parseEndpointId } from '../webhooks/target.js';

export type WebhookContractRouteDeps = {
  orm: MikroORM;
  schema: GraphQLSchema;
  /** Checks the request's bearer token; throws UNAUTHENTICATED (or SERVICE_UNAVAILABLE) otherwise. */
  authenticate(req: Request): Promise<unknown>;
  /** Checks a stored endpoint document as the materialiser does. */
  checkDocument(text: string, variables: Record<string, unknown> | null): SubscriptionDocument;
};

/**
 * GET /webhooks/openapi.json: the webhook contract, built once and served as the bytes committed
 * in docs/webhooks.openapi.json, to anyone. With ?endpoint=<id> and a token, the contract with
 * that endpoint's webhook added, its body schema derived from its stored document.
 */
export function webhookContractRoute(deps: WebhookContractRouteDeps): RequestHandler {
  const contract = buildWebhookContract();
  const contractBody = contractText(contract);
  return async (req, res) => {
    const { endpoint: endpointParam } = req.query;
    if (endpointParam === undefined) {
      res.type('application/json').send(contractBody);
      return;
    }
    try {
      await deps.authenticate(req);
    } catch (err) {
      const status = err instanceof GraphQLError && err.extensions['code'] === 'SERVICE_UNAVAILABLE' ? 503 : 401;
      res.status(status).json({ error: (err as Error).message });
      return;
    }
    let id: string;
    try {
      id = parseEndpointId(String(endpointParam), 'endpoint');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(400).json({ error: err.message });
      return;
    }
    let endpoint: EndpointRow | null;
    try {
      endpoint = await findEndpoint(deps.orm.em.fork(), id);
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      res.status(503).set('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS)).json({ error: serviceUnavailable().message });
      return;
    }
    if (!endpoint) {
      res.status(404).json({ error: `Webhook endpoint ${JSON.stringify(id)} does not exist` });
      return;
    }
    const checked = storedDocument(deps, endpoint);
    if (!checked) {
      res.status(409).json({ error: `Webhook endpoint ${endpoint.id}'s stored subscription is one the schema no longer accepts: update it first` });
      return;
    }
    const published = withEndpointWebhook(contract, {
      id: endpoint.id,
      url: endpoint.url,
      bodySchema: endpointBodySchema(deps.schema, checked.document),
      eventTypes: checked.selection.types ?? Object.values(EVENT_TYPES),
    });
    res.type('application/json').send(contractText(published));
  };
}
