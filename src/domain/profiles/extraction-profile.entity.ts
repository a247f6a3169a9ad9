import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export type ProfileField = { label: string; key: string };

export const ExtractionProfile = defineEntity({
  name: 'ExtractionProfile',
  tableName: 'extraction_profiles',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(200),
    /** Ordered; each key is the snake_case of its label and unique within the profile. */
    fields: p.json<ProfileField[]>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IExtractionProfile = InferEntity<typeof ExtractionProfile>;
