import type { DeliveryUpdate } from '../../bridge/delivery-feed.js';
import type { IContact } from '../../domain/contacts/contact.entity.js';
import type { IDocument } from '../../domain/documents/document.entity.js';
import type { IFolder } from '../../domain/folders/folder.entity.js';
import { CursorExpiredError, ValidationError } from '../../errors.js';
import { EVENT_SELECTIONS } from '../../subscriptions/event-selections.js';
import type { Published, PublishedEvent } from '../../subscriptions/published.js';
import type { SubscriptionStreams } from '../../subscriptions/streams.js';
import type { GraphQLContext } from '../context.js';
import type { Resolvers } from '../generated.js';

function streams(ctx: GraphQLContext): SubscriptionStreams {
  if (!ctx.subscriptions) {
    throw new ValidationError('Subscriptions are served over WebSocket: ws://HOST:PORT/graphql, protocol graphql-transport-ws', { field: 'operation' });
  }
  return ctx.subscriptions;
}

/** Each root field streams Published items (rendered once for all subscribers); resolve picks the field's value. */
export const subscriptionResolvers: Resolvers = {
  Subscription: {
    events: {
      subscribe: (_, { types, after }, ctx) => streams(ctx).events({ selection: EVENT_SELECTIONS.events({ types }), after }),
      resolve: (item: PublishedEvent | CursorExpiredError) => {
        if (item instanceof CursorExpiredError) throw item;
        return item.value;
      },
    },
    documentExported: {
      subscribe: (_, args, ctx) => streams(ctx).changes(EVENT_SELECTIONS.documentExported(args)),
      resolve: async (event: PublishedEvent) => (await event.entity()) as IDocument,
    },
    contactChanged: {
      subscribe: (_, args, ctx) => streams(ctx).changes(EVENT_SELECTIONS.contactChanged(args)),
      resolve: async (event: PublishedEvent) => (await event.entity()) as IContact,
    },
    folderChanged: {
      subscribe: (_, args, ctx) => streams(ctx).changes(EVENT_SELECTIONS.folderChanged(args)),
      resolve: async (event: PublishedEvent) => (await event.entity()) as IFolder,
    },
    webhookDeliveryUpdated: {
      subscribe: (_, { channel }, ctx) => streams(ctx).deliveries(channel),
      resolve: (update: Published<DeliveryUpdate>) => update.value,
    },
  },
};
