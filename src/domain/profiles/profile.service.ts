import type { EntityManager } from '@mikro-orm/postgresql';
import { ValidationError } from '../../errors.js';
import { LIMITS, requiredText } from '../validate.js';
import { ExtractionProfile } from './extraction-profile.entity.js';
import { profileFields } from './field-key.js';

export const MAX_PROFILE_FIELDS = 200;

export async function createProfile(em: EntityManager, input: { name: string; fieldLabels: string[] }) {
  const name = requiredText('name', input.name, LIMITS.name);
  if (input.fieldLabels.length > MAX_PROFILE_FIELDS) {
    throw new ValidationError(`A profile has at most ${MAX_PROFILE_FIELDS} fields, not ${input.fieldLabels.length}`, {
      field: 'fieldLabels',
      count: input.fieldLabels.length,
    });
  }
  input.fieldLabels.forEach((label, i) => requiredText(`fieldLabels[${i}]`, label, LIMITS.name));
  const profile = em.create(ExtractionProfile, { name, fields: profileFields(input.fieldLabels) });
  await em.flush();
  return profile;
}
