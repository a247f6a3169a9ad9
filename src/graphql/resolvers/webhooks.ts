import { NotFoundError } from '../../errors.js';
import { endpointBodySchema } from '../../endpoints/body-schema.js';
import { storedDocument } from '../../endpoints/subscription-document.js';
import { recordAudit } from '../../audit/audit-log.js';
import { presentFields, webhookSettingsChanges } from '../../audit/changes.js';
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
import { actorOf, audited } from '../audited.js';
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
    configureWebhooks: (_, { input }, ctx) =>
      audited(ctx, (tx) => configureWebhooks(tx, input, ctx.services.allowPrivateNetworks, ctx.events.publicUrl), {
        action: 'webhookSettings.configure',
        changes: webhookSettingsChanges(input),
      }),
    rotateWebhookSigningSecret: (_, __, ctx) =>
      audited(ctx, (tx) => rotateSigningSecret(tx, ctx.services.secretOverlapMs), { action: 'webhookSettings.rotateSecret', changes: { signingSecret: 'rotated' } }),
    testWebhook: (_, { channel }, { em, services }) => services.testWebhook(em, channel),
    redeliverWebhook: (_, { deliveryId }, ctx) =>
      audited(ctx, (tx) => redeliver(tx, deliveryId), { action: 'webhookDelivery.redeliver', subject: `webhookDelivery:${deliveryId}` }),
    // A dry run only counts: nothing changes, so nothing is recorded.
    replayWebhooks: (_, { input }, ctx) =>
      input.dryRun
        ? replay(ctx.em, input)
        : audited(
            ctx,
            (tx) => replay(tx, input),
            (r) => ({ action: 'webhooks.replay', changes: { ...presentFields(input), count: r.count } }),
          ),
    createWebhookEndpoint: (_, { input }, ctx) =>
      audited(
        ctx,
        (tx) => createEndpoint(tx, input as EndpointInput, ctx.services.endpoints),
        (r) => ({ action: 'webhookEndpoint.create', subject: `webhookEndpoint:${r.endpoint.id}`, changes: presentFields(input) }),
      ),
    updateWebhookEndpoint: (_, { id, input }, ctx) =>
      audited(ctx, (tx) => updateEndpoint(tx, id, input as EndpointInput, ctx.services.endpoints), {
        action: 'webhookEndpoint.update',
        subject: `webhookEndpoint:${id}`,
        changes: presentFields(input),
      }),
    deleteWebhookEndpoint: (_, { id }, ctx) =>
      audited(ctx, (tx) => deleteEndpoint(tx, id, ctx.services.endpoints), { action: 'webhookEndpoint.delete', subject: `webhookEndpoint:${id}` }),
    rotateWebhookEndpointSecret: (_, { id }, ctx) =>
      audited(ctx, (tx) => rotateEndpointSecret(tx, id, ctx.services.endpoints), {
        action: 'webhookEndpoint.rotateSecret',
        subject: `webhookEndpoint:${id}`,
        changes: { signingSecret: 'rotated' },
      }),
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
  WebhookSettings: {
    // Reading the secret is recorded: whoever holds it can sign webhooks as the service.
    signingSecret: async (settings, _, ctx) => {
      await recordAudit(ctx.em, actorOf(ctx), { action: 'webhookSettings.revealSecret' });
      return settings.signingSecret;
    },
  },
  WebhookDelivery: {
    attempts: (d, _, { loaders }) => loaders.attempts.load(d.id),
    endpoint: (d, _, { em }) => (d.endpointId ? findEndpoint(em, d.endpointId) : null),
  },
};
