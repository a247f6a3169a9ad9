import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Contact } from '../contacts/contact.entity.js';

export const Folder = defineEntity({
  name: 'Folder',
  tableName: 'folders',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(200),
    contact: () => p.manyToOne(Contact).ref().deleteRule('cascade').index(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IFolder = InferEntity<typeof Folder>;
