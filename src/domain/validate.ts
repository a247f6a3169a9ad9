import { z } from 'zod';
import { ValidationError, describeValue } from '../errors.js';

/** Documented limits on what a client may store; the README lists them. */
export const LIMITS = {
  name: 200,
  filename: 255,
  email: 320,
  phone: 50,
  notes: 10_000,
  docType: 100,
  aiSummary: 20_000,
  confidenceReasoning: 10_000,
  lineItems: 1_000,
  lineItemDescription: 1_000,
  externalRefsBytes: 16 * 1024,
  extractedFieldsBytes: 128 * 1024,
  fieldValue: 10_000,
} as const;

/** A positive integer id from a GraphQL ID, or BAD_USER_INPUT naming the field. */
export function parseId(field: string, value: string | number): number {
  const text = String(value);
  if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > 2_147_483_647) {
    throw new ValidationError(`${field} ${describeValue(text)} is not a valid id (a positive integer)`, { field, value: text });
  }
  return Number(text);
}

export function requiredText(field: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new ValidationError(`${field} must not be blank (got ${describeValue(value)})`, { field, value });
  if (trimmed.length > max) {
    throw new ValidationError(`${field} is ${trimmed.length} characters long; the limit is ${max}`, { field, length: trimmed.length, limit: max });
  }
  return trimmed;
}

/** null and blank clear the value; undefined is handled by the caller (left as it is). */
export function optionalText(field: string, value: string | null, max: number): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (trimmed.length > max) {
    throw new ValidationError(`${field} is ${trimmed.length} characters long; the limit is ${max}`, { field, length: trimmed.length, limit: max });
  }
  return trimmed;
}

const emailSchema = z.email();

export function optionalEmail(field: string, value: string | null): string | null {
  const email = optionalText(field, value, LIMITS.email);
  if (email !== null && !emailSchema.safeParse(email).success) {
    throw new ValidationError(`${field} ${describeValue(email)} is not an email address`, { field, value: email });
  }
  return email;
}

export function jsonObject(field: string, value: unknown, maxBytes: number): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(`${field} must be a JSON object, not ${describeValue(value)}`, { field, value });
  }
  const size = Buffer.byteLength(JSON.stringify(value));
  if (size > maxBytes) {
    throw new ValidationError(`${field} is ${size} bytes of JSON; the limit is ${maxBytes}`, { field, size, limit: maxBytes });
  }
  return value as Record<string, unknown>;
}

export function confidenceScore(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 100) {
    throw new ValidationError(`confidenceScore ${describeValue(value)} is outside 0–100`, { field: 'confidenceScore', value });
  }
  return value;
}
