import { ValidationError, describeValue } from '../../errors.js';
import { fieldKey } from '../profiles/field-key.js';
import { LIMITS, jsonObject } from '../validate.js';

export type FieldValue = string | number | boolean;

/** Extracted values as a client sends them, keyed by the snake_case of their label; null removes a field. */
export type FieldChanges = {
  set: Record<string, FieldValue>;
  removed: Set<string>;
  /** The label each key came from, to name it in errors. */
  labels: Map<string, string>;
};

/** Checks what needs no database: the object, a key for every label, the type and length of every value. */
export function parseFieldChanges(fields: unknown): FieldChanges {
  const object = jsonObject('fields', fields, LIMITS.extractedFieldsBytes);
  const changes: FieldChanges = { set: {}, removed: new Set(), labels: new Map() };
  for (const [label, value] of Object.entries(object)) {
    const key = fieldKey(label);
    if (key === '') {
      throw new ValidationError(`fields key ${describeValue(label)} has no letters or digits`, { field: `fields.${label}`, value: label });
    }
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      throw new ValidationError(`fields.${label} must be a string, number, boolean or null, not ${describeValue(value)}`, {
        field: `fields.${label}`,
        value,
      });
    }
    if (typeof value === 'string' && value.length > LIMITS.fieldValue) {
      throw new ValidationError(`fields.${label} is ${value.length} characters long; the limit is ${LIMITS.fieldValue}`, {
        field: `fields.${label}`,
        length: value.length,
      });
    }
    changes.labels.set(key, label);
    // A later label with the same key wins, as it would when applied one by one.
    if (value === null) {
      delete changes.set[key];
      changes.removed.add(key);
    } else {
      changes.removed.delete(key);
      changes.set[key] = value as FieldValue;
    }
  }
  return changes;
}

/** With a profile, every key must be one of its fields. */
export function assertProfileKeys(changes: FieldChanges, profile: { name: string; keys: readonly string[] } | null): void {
  if (!profile) return;
  const known = new Set(profile.keys);
  for (const [key, label] of changes.labels) {
    if (!known.has(key)) {
      throw new ValidationError(`fields.${label} is not a field of extraction profile ${describeValue(profile.name)} (its keys: ${[...known].join(', ')})`, {
        field: `fields.${label}`,
        value: label,
      });
    }
  }
}

export function applyFieldChanges(base: Record<string, unknown>, changes: FieldChanges): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base, ...changes.set };
  for (const key of changes.removed) delete result[key];
  return result;
}
