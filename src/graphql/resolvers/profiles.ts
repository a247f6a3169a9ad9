import { ExtractionProfile } from '../../domain/profiles/extraction-profile.entity.js';
import { createProfile } from '../../domain/profiles/profile.service.js';
import type { Resolvers } from '../generated.js';

export const profileResolvers: Resolvers = {
  Query: {
    extractionProfiles: (_, __, { em }) => em.find(ExtractionProfile, {}, { orderBy: { id: 'asc' } }),
  },
  Mutation: {
    createExtractionProfile: (_, { input }, { em }) => createProfile(em, input),
  },
};
