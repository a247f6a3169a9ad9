import type { AttemptRow } from '../webhooks/delivery-log.js';
import type { Channel } from '../events/event-types.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { InspectorFeed } from '../inspector/feed.js';
import type { EndpointDeps } from '../endpoints/endpoint-store.js';
import type { DocumentHooks } from '../domain/documents/document-hooks.js';

/** The operations that need more than the request's EntityManager; app.ts supplies them. */
export type Services = {
  allowPrivateNetworks: boolean;
  /** WEBHOOK_SECRET_OVERLAP: how long a rotated-out signing secret still signs. */
  secretOverlapMs: number;
  testWebhook(em: EntityManager, channel: Channel): Promise<AttemptRow>;
  testWebhookEndpoint(em: EntityManager, id: string): Promise<AttemptRow>;
  /** An unsaved subscription document rendered for the newest event it chooses; null when none is. */
  previewWebhookEndpoint(em: EntityManager, subscription: string, variables: Record<string, unknown> | null): Promise<unknown>;
  /** A token was revoked or regenerated here: this instance forgets what it verified before answering. */
  tokensChanged(): void;
  /** What the domain tells about documents: the rules listen. */
  documentHooks: DocumentHooks;
  /** What writing a webhook endpoint needs: the URL rules, its document checked against the schema, the log. */
  endpoints: EndpointDeps;
  /** Wakes the live views of inspectors. */
  inspectorFeed: InspectorFeed;
};
