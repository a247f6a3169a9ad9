import { ValidationError, describeValue } from '../../errors.js';
import { inspectorUrl } from '../../inspector/own-url.js';
import { INSPECTOR_KEEP, createInspector, findInspector, latestRequests, listInspectors } from '../../inspector/store.js';
import type { Resolvers } from '../generated.js';

/** Inspectors live a day: more than this many at once is not a list to read. */
const MAX_LISTED = 500;

/** A request id as given back by the API: digits. */
function parseAfter(after: string | null | undefined): string {
  if (after == null) return '0';
  if (!/^\d{1,18}$/.test(after)) throw new ValidationError(`after ${describeValue(after)} is not a request id`, { field: 'after', value: after });
  return after;
}

export const inspectorResolvers: Resolvers = {
  Query: {
    inspector: (_, { id }, { sql }) => findInspector(sql, String(id)),
    inspectors: (_, __, { sql }) => listInspectors(sql, MAX_LISTED),
  },
  Mutation: {
    createInspector: (_, __, { sql }) => createInspector(sql),
  },
  Subscription: {
    inspectorRequestReceived: {
      subscribe: async (_, { id, after }, { sql, services }) => {
        const from = parseAfter(after);
        const inspector = await findInspector(sql, String(id));
        if (!inspector) throw new ValidationError(`Inspector ${describeValue(String(id))} does not exist or has expired`, { field: 'id', value: String(id) });
        return services.inspectorFeed.stream(inspector.id, from);
      },
      resolve: (row: unknown) => row as never,
    },
  },
  Inspector: {
    url: (inspector, _, { events }) => inspectorUrl(events.publicUrl, inspector.id),
    requests: (inspector, { first }, { sql }) => {
      const limit = first ?? INSPECTOR_KEEP;
      if (!Number.isInteger(limit) || limit < 1 || limit > INSPECTOR_KEEP) {
        throw new ValidationError(`first ${describeValue(limit)} must be between 1 and ${INSPECTOR_KEEP}`, { field: 'first', value: limit });
      }
      return latestRequests(sql, inspector.id, limit);
    },
  },
};
