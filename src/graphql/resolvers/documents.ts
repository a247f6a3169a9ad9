import type { FilterQuery } from '@mikro-orm/core';
import { Document, type IDocument } from '../../domain/documents/document.entity.js';
import {
  createDocument,
  exportDocument,
  recordExtraction,
  setDocumentStatus,
} from '../../domain/documents/document.service.js';
import { updateDocument } from '../../domain/documents/update-document.js';
import { parseId } from '../../domain/validate.js';
import { NotFoundError } from '../../errors.js';
import { confidenceLabel } from '../../events/display.js';
import { docUrl } from '../../events/payloads.js';
import type { Resolvers } from '../generated.js';
import { connection, decodeIdCursor, encodeIdCursor, pageSize } from '../relay.js';

export const documentResolvers: Resolvers = {
  Query: {
    document: async (_, { id }, { em }) => {
      const doc = await em.findOne(Document, parseId('id', id));
      if (!doc) throw new NotFoundError('Document', id);
      return doc;
    },
    documents: async (_, { filter, first, after }, { em }) => {
      const limit = pageSize(first);
      const where: FilterQuery<IDocument> = { id: { $gt: decodeIdCursor(after) ?? 0 } };
      if (filter?.status) where.status = filter.status;
      if (filter?.folderId) where.folder = parseId('filter.folderId', filter.folderId);
      if (filter?.contactId) where.contact = parseId('filter.contactId', filter.contactId);
      if (filter?.docType) where.docType = filter.docType;
      if (filter?.updatedSince) where.updatedAt = { $gte: filter.updatedSince };
      const rows = await em.find(Document, where, { orderBy: { id: 'asc' }, limit: limit + 1 });
      return connection(rows, limit, (d) => encodeIdCursor(d.id));
    },
  },
  Mutation: {
    createDocument: (_, { input }, { changes }) => createDocument(changes, input),
    recordExtraction: (_, { id, input }, { changes }) => recordExtraction(changes, id, input),
    updateDocument: (_, { id, input }, { changes }) => updateDocument(changes, id, input),
    setDocumentStatus: (_, { id, status }, { changes, em, events, services }) =>
      setDocumentStatus({ sql: changes, em, settings: events, hooks: services.documentHooks }, id, status),
    exportDocument: (_, { id }, { changes, events }) => exportDocument({ sql: changes, settings: events }, id),
  },
  Document: {
    contact: async (d, _, { loaders }) => (await loaders.contact.load(d.contact.id))!,
    folder: async (d, _, { loaders }) => (await loaders.folder.load(d.folder.id))!,
    profile: (d, _, { loaders }) => (d.profile ? loaders.profile.load(d.profile.id) : null),
    confidenceLabel: (d) => confidenceLabel(d.confidenceScore),
    docUrl: (d, _, { events }) => docUrl(events.publicUrl, d.id),
  },
};
