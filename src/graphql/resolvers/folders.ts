import { Folder } from '../../domain/folders/folder.entity.js';
import { createFolder, updateFolder } from '../../domain/folders/folder.service.js';
import { parseId } from '../../domain/validate.js';
import { NotFoundError } from '../../errors.js';
import type { Resolvers } from '../generated.js';
import { connection, decodeIdCursor, encodeIdCursor, pageSize } from '../relay.js';

export const folderResolvers: Resolvers = {
  Query: {
    folder: async (_, { id }, { em }) => {
      const folder = await em.findOne(Folder, parseId('id', id));
      if (!folder) throw new NotFoundError('Folder', id);
      return folder;
    },
    folders: async (_, { contactId, first, after }, { em }) => {
      const limit = pageSize(first);
      const where = {
        id: { $gt: decodeIdCursor(after) ?? 0 },
        ...(contactId ? { contact: parseId('contactId', contactId) } : {}),
      };
      const rows = await em.find(Folder, where, { orderBy: { id: 'asc' }, limit: limit + 1 });
      return connection(rows, limit, (f) => encodeIdCursor(f.id));
    },
  },
  Mutation: {
    createFolder: (_, { input }, { changes, events }) => createFolder(changes, input, events),
    updateFolder: (_, { id, input }, { changes, events }) => updateFolder(changes, id, input, events),
  },
  Folder: {
    contact: async (f, _, { loaders }) => (await loaders.contact.load(f.contact.id))!,
    documents: async (f, { first, after }, { loaders }) => {
      const limit = pageSize(first);
      const rows = await loaders.documentsOfFolder.load({ parentId: f.id, first: limit, after: decodeIdCursor(after) ?? 0 });
      return connection(rows, limit, (d) => encodeIdCursor(d.id));
    },
  },
};
