import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities.js';
import { migrationsList } from './migrations/index.js';

/**
 * MikroORM options shared by the service, the tests and the CLI. The schema comes only from
 * the committed migrations in ./migrations (never schema sync at run time).
 */
export function ormConfig(clientUrl: string, poolSize = 20): Options {
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: true },
    pool: { min: 1, max: poolSize },
    // No JIT, as on the plain pools (sql-pool.ts): its compiling costs more than these statements run.
    driverOptions: { options: '-c jit=off' },
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
