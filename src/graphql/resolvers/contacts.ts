import { Contact } from '../../domain/contacts/contact.entity.js';
import { createContact, updateContact } from '../../domain/contacts/contact.service.js';
import { parseId } from '../../domain/validate.js';
import { NotFoundError } from '../../errors.js';
import type { Resolvers } from '../generated.js';
import { connection, decodeIdCursor, encodeIdCursor, pageSize } from '../relay.js';

export const contactResolvers: Resolvers = {
  Query: {
    contact: async (_, { id }, { em }) => {
      const contact = await em.findOne(Contact, parseId('id', id));
      if (!contact) throw new NotFoundError('Contact', id);
      return contact;
    },
    contacts: async (_, { first, after }, { em }) => {
      const limit = pageSize(first);
      const rows = await em.find(Contact, { id: { $gt: decodeIdCursor(after) ?? 0 } }, { orderBy: { id: 'asc' }, limit: limit + 1 });
      return connection(rows, limit, (c) => encodeIdCursor(c.id));
    },
  },
  Mutation: {
    createContact: (_, { input }, { changes, events }) => createContact(changes, input, events),
    updateContact: (_, { id, input }, { changes, events }) => updateContact(changes, id, input, events),
  },
  Contact: {
    parent: (c, _, { loaders }) => (c.parent ? loaders.contact.load(c.parent.id) : null),
    defaultProfile: (c, _, { loaders }) => (c.defaultProfile ? loaders.profile.load(c.defaultProfile.id) : null),
    folders: async (c, { first, after }, { loaders }) => {
      const limit = pageSize(first);
      const rows = await loaders.foldersOfContact.load({ parentId: c.id, first: limit, after: decodeIdCursor(after) ?? 0 });
      return connection(rows, limit, (f) => encodeIdCursor(f.id));
    },
  },
};
