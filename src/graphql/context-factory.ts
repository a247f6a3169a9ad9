import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/scopes.js';
import type { SqlPool } from '../db/sql-pool.js';
import type { Sql } from '../db/sql.js';
import type { EventSettings } from '../domain/events-context.js';
import type { GraphQLContext } from './context.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { Services } from './services.js';

/** A context for the token `viewer`; without one, for what the service runs itself. */
export type ContextFactory = (viewer?: Viewer) => GraphQLContext;

/**
 * A GraphQL context whose EntityManager fork and loaders are made on first use: most
 * subscription operations never touch them, an idle subscriber should cost little, and a
 * request whose resolvers use only plain statements should not pay for a fork. The getters
 * live on the prototype: Apollo Server copies the context with Object.assign, which would
 * call getters of the object's own.
 */
class LazyContext implements GraphQLContext {
  private forked: EntityManager | undefined;
  private madeLoaders: Loaders | undefined;

  constructor(
    private readonly orm: MikroORM,
    readonly sql: SqlPool,
    readonly changes: Sql,
    readonly reads: Sql,
    readonly events: EventSettings,
    readonly services: Services,
    readonly viewer: Viewer | undefined,
  ) {}

  get em(): EntityManager {
    return (this.forked ??= this.orm.em.fork());
  }

  get loaders(): Loaders {
    return (this.madeLoaders ??= createLoaders(this.em));
  }
}

export function lazyContextFactory(orm: MikroORM, sql: SqlPool, changes: Sql, reads: Sql, events: EventSettings, services: Services): ContextFactory {
  return (viewer) => new LazyContext(orm, sql, changes, reads, events, services, viewer);
}
