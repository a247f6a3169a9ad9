import { EVENT_TYPES, eventTypeName } from '../../events/event-types.js';
import { START, decodeCursor, encodeCursor, positionOf, readEvents } from '../../outbox/event-log.js';
import type { Resolvers } from '../generated.js';
import { connection, pageSize } from '../relay.js';

export const eventResolvers: Resolvers = {
  Query: {
    events: async (_, { types, after, first }, { reads }) => {
      const limit = pageSize(first);
      const rows = await readEvents(reads, {
        after: after ? decodeCursor(after) : START,
        limit: limit + 1,
        types: types?.map((t) => EVENT_TYPES[t]),
        refuseExpired: !!after,
      });
      return connection(rows, limit, (e) => encodeCursor(positionOf(e)));
    },
  },
  Event: {
    cursor: (e) => encodeCursor(e.cursor),
    type: (e) => eventTypeName(e.type),
  },
};
