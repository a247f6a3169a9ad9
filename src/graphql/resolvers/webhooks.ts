import { NotFoundError } from '../../errors.js';
import { endpointBodySchema } from '../../endpoints/body-schema.js';
import { storedDocument } from '../../endpoints/subscription-document.js';
import { configureWebhooks, readSettings, rotateSigningSecret } from '../../webhooks/settings.js';
import { getDelivery, listDeliveries, redeliver, replay } from '../../webhooks/delivery-log.js';
import {
  createEndpoint,
  deleteEndpoint,
  findEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
  type EndpointInput,
} from '../../endpoints/endpoint-store.js';
import { webhookOverview } from '../../webhooks/overview.js';
import type { Resolvers } from '../generated.js';
import { connection, decodeIdCursor, encodeIdCursor, pageSize } from '../relay.js';

export const webhookResolvers: Resolvers = {
  Query: {
    webhookSettings: (_, __, { em }) => readSettings(em),
    webhookDeliveries: async (_, { filter, first, after }, { em }) => {
      const limit = pageSize(first);
      const rows = await listDeliveries(em, filter ?? {}, limit, decodeIdCursor(after));
      return connection(rows, limit, (d) => encodeIdCursor(d.id));
    },
    webhookEndpoints: async (_, { first, after }, { em }) => {
      const limit = pageSize(first);
      const rows = await listEndpoints(em, limit, decodeIdCursor(after));
      return connection(rows, limit, (e) => encodeIdCursor(e.id));
    },
    webhookEndpoint: (_, { id }, { em }) => findEndpoint(em, id),
    previewWebhookEndpoint: (_, { subscription, variables }, { em, services }) =>
      services.previewWebhookEndpoint(em, subscription, (variables ?? null) as Record<string, unknown> | null),
    webhookOverview: (_, { windowMinutes }, { sql }) => webhookOverview(sql, windowMinutes ?? 60),
    webhookDelivery: async (_, { id }, { em }) => {
      const delivery = await getDelivery(em, id);
      if (!delivery) throw new NotFoundError('WebhookDelivery', id);
      return delivery;
    },
  },
  Mutation: {
    configureWebhooks: (_, { input }, { em, services, events }) => configureWebhooks(em, input, services.allowPrivateNetworks, events.publicUrl),
    rotateWebhookSigningSecret: (_, __, { em, services }) => rotateSigningSecret(em, services.secretOverlapMs),
    testWebhook: (_, { channel }, { em, services }) => services.testWebhook(em, channel),
    redeliverWebhook: (_, { deliveryId }, { em }) => redeliver(em, deliveryId),
    replayWebhooks: (_, { input }, { em }) => replay(em, input),
    createWebhookEndpoint: (_, { input }, { em, services }) => createEndpoint(em, input as EndpointInput, services.endpoints),
    updateWebhookEndpoint: (_, { id, input }, { em, services }) => updateEndpoint(em, id, input as EndpointInput, services.endpoints),
    deleteWebhookEndpoint: (_, { id }, { em, services }) => deleteEndpoint(em, id, services.endpoints),
    rotateWebhookEndpointSecret: (_, { id }, { em, services }) => rotateEndpointSecret(em, id, services.endpoints),
    testWebhookEndpoint: (_, { id }, { em, services }) => services.testWebhookEndpoint(em, id),
  },
  WebhookEndpoint: {
    bodySchema: (endpoint, _, { services }, { schema }) => {
      const checked = storedDocument(services.endpoints, endpoint);
      return checked ? endpointBodySchema(schema, checked.document) : null;
    },
  },
  WebhookTargetOverview: {
    endpoint: (t, _, { em }) => (t.endpointId ? findEndpoint(em, t.endpointId) : null),
    successRate: (t) => (t.succeeded + t.failed === 0 ? null : t.succeeded / (t.succeeded + t.failed)),
  },
  WebhookDelivery: {
    attempts: (d, _, { loaders }) => loaders.attempts.load(d.id),
    endpoint: (d, _, { em }) => (d.endpointId ? findEndpoint(em, d.endpointId) : null),
  },
};
