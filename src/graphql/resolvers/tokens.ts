import type { Resolvers } from '../generated.js';

export const tokenResolvers: Resolvers = {
  Mutation: {
    regenerateApiToken: (_, __, { em, services }) => services.regenerateApiToken(em),
  },
};
