import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/scopes.js';
import type { SqlPool } from '../db/sql-pool.js';
import type { Sql } from '../db/sql.js';
import type { EventSettings } from '../domain/events-context.js';
import type { SubscriptionStreams } from '../subscriptions/streams.js';
import type { Loaders } from './loaders.js';
import type { Services } from './services.js';

/** Per request (or per WebSocket operation): a fresh EntityManager fork and its loaders. */
export type GraphQLContext = {
  em: EntityManager;
  /** The plain pool (db/sql-pool.ts). */
  sql: SqlPool;
  /** Where the changes' statements run: the plain pool, prepared (db/sql.ts). */
  changes: Sql;
  /** Plain reads on the same pool (the event log). */
  reads: Sql;
  loaders: Loaders;
  events: EventSettings;
  services: Services;
  /** The token of the request or the WebSocket; absent where the service runs an operation itself (webhook endpoints). */
  viewer?: Viewer;
  /** Over WebSocket only: the streams the Subscription fields read, bound to the socket. */
  subscriptions?: SubscriptionStreams;
};
