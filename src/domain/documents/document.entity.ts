import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Contact } from '../contacts/contact.entity.js';
import { Folder } from '../folders/folder.entity.js';
import { ExtractionProfile } from '../profiles/extraction-profile.entity.js';
import { DOCUMENT_STATUSES, type DocumentStatus } from './lifecycle.js';

export const DOCUMENT_SOURCES = ['UI', 'API', 'EMAIL', 'HOT_FOLDER'] as const;
export type DocumentSource = (typeof DOCUMENT_SOURCES)[number];

export type LineItem = { description: string; quantity: number; unitPrice: number; amount: number };

export const Document = defineEntity({
  name: 'Document',
  tableName: 'documents',
  indexes: [{ properties: ['status', 'id'] }, { properties: ['updatedAt', 'id'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    filename: p.string().length(255),
    originalFilename: p.string().length(255),
    status: p.enum([...DOCUMENT_STATUSES]).$type<DocumentStatus>().nativeEnumName('document_status').default('NEW'),
    source: p.enum([...DOCUMENT_SOURCES]).$type<DocumentSource>().nativeEnumName('document_source').default('API'),
    docType: p.string().length(100).nullable(),
    docDate: p.date().nullable(),
    contact: () => p.manyToOne(Contact).ref().deleteRule('cascade').index(),
    folder: () => p.manyToOne(Folder).ref().deleteRule('cascade').index(),
    profile: () => p.manyToOne(ExtractionProfile).ref().nullable().deleteRule('set null'),
    aiSummary: p.text().nullable(),
    confidenceScore: p.smallint().nullable(),
    confidenceReasoning: p.text().nullable(),
    extractedFields: p.json<Record<string, unknown>>().default('{}' as never),
    lineItems: p.json<LineItem[]>().default('[]' as never),
    externalRefs: p.json<Record<string, unknown>>().default('{}' as never),
    statusChangedAt: p.datetime().onCreate(() => new Date()),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IDocument = InferEntity<typeof Document>;
