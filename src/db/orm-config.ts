import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type pg from 'pg';
import { boundRoundTrips } from './bounded-wait.js';
import { connectionOptions } from './connection-options.js';
import { entities } from './entities.js';
import { migrationsList } from './migrations/index.js';

/**
 * MikroORM options shared by the service, the tests and the CLI. The schema comes only from
 * the committed migrations in ./migrations (never schema sync at run time).
 *
 * With `timeoutMs` (DATABASE_TIMEOUT, the service's ORM), waiting for a pooled connection,
 * connecting and each round trip are bounded by it, as on the plain pools; without it (the
 * migrations, the CLI, the tests' template), statements may run as long as they take.
 */
export function ormConfig(clientUrl: string, poolSize = 20, timeoutMs?: number): Options {
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: true },
    pool: { min: 1, max: poolSize },
    // Straight to pg's Pool: its connectionTimeoutMillis bounds both the wait for a pooled
    // connection and the connect; each connection's round trips are bounded once it is made.
    driverOptions: {
      ...connectionOptions(timeoutMs, 'recordengine-orm'),
      ...(timeoutMs !== undefined && {
        onPoolCreated: (pool: pg.Pool) => pool.on('connect', (client) => boundRoundTrips(client, timeoutMs)),
      }),
    },
    // One EntityManager fork per request is explicit (graphql/context.ts); a global one would leak state.
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: false,
    migrations: {
      migrationsList,
      transactional: true,
      allOrNothing: true,
      tableName: 'mikro_orm_migrations',
      // The snapshot serves migration:create's diffing, which this project does not use; it would be written into the working directory.
      snapshot: false,
      // Applied migrations are logged once, as JSON, by database.ts; the migrator's own lines would not be.
      silent: true,
    },
  });
}
