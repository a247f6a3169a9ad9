import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { EventSettings } from '../domain/events-context.js';
import type { GraphQLContext } from '../graphql/context.js';
import { createLoaders, type Loaders } from '../graphql/loaders.js';
import type { Services } from '../graphql/services.js';

export type ContextFactory = () => GraphQLContext;

/**
 * A GraphQL context whose EntityManager fork and loaders are made on first use: most
 * subscription operations never touch them, and an idle subscriber should cost little.
 */
export function lazyContextFactory(orm: MikroORM, events: EventSettings, services: Services): ContextFactory {
  return () => {
    let em: EntityManager | undefined;
    let loaders: Loaders | undefined;
    return {
      get em() {
        return (em ??= orm.em.fork());
      },
      get loaders() {
        return (loaders ??= createLoaders(this.em));
      },
      events,
      services,
    };
  };
}
