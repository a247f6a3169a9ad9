import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { ExtractionProfile } from '../profiles/extraction-profile.entity.js';

export const CONTACT_TYPES = ['CLIENT', 'VENDOR', 'PARTNER', 'INTERNAL', 'OTHER'] as const;
export type ContactType = (typeof CONTACT_TYPES)[number];

export const Contact = defineEntity({
  name: 'Contact',
  tableName: 'contacts',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(200),
    type: p.enum([...CONTACT_TYPES]).$type<ContactType>().nativeEnumName('contact_type'),
    email: p.string().length(320).nullable(),
    phone: p.string().length(50).nullable(),
    notes: p.text().nullable(),
    parent: () => p.manyToOne(Contact).ref().nullable().deleteRule('set null').index(),
    defaultProfile: () => p.manyToOne(ExtractionProfile).ref().nullable().deleteRule('set null'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IContact = InferEntity<typeof Contact>;
