import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventSettings } from '../domain/events-context.js';
import type { SubscriptionStreams } from '../subscriptions/streams.js';
import type { Loaders } from './loaders.js';
import type { Services } from './services.js';

/** Per request (or per WebSocket operation): a fresh EntityManager fork and its loaders. */
export type GraphQLContext = {
  em: EntityManager;
  loaders: Loaders;
  events: EventSettings;
  services: Services;
  /** Over WebSocket only: the streams the Subscription fields read, bound to the socket. */
  subscriptions?: SubscriptionStreams;
};
