import type { WebhookDeliveryAttempt } from '../webhooks/tester.js';
import type { Channel } from '../events/event-types.js';
import type { EntityManager } from '@mikro-orm/postgresql';

/** The operations that need more than the request's EntityManager; app.ts supplies them. */
export type Services = {
  allowPrivateNetworks: boolean;
  testWebhook(em: EntityManager, channel: Channel): Promise<WebhookDeliveryAttempt>;
  regenerateApiToken(em: EntityManager): Promise<string>;
};
