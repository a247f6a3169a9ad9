import { DOCUMENT_STATUSES, type DocumentStatus } from '../domain/documents/lifecycle.js';

/**
 * A number from an extracted value: a JSON number, or text such as "18500.00", "-3.5" or
 * "18,500.00" (commas only as thousands separators). Anything else ("abc", "¥18,500",
 * "18.500,00") is not a number: amounts compare as numbers, never as text.
 */
export function parseNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!/^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[+-]?\.\d+$/.test(text)) return undefined;
  return Number(text.replace(/,/g, ''));
}

/** Text as rules compare it: trimmed, case-insensitive, runs of spaces and underscores as one space. */
export function normalizeText(value: string): string {
  return value.trim().toLowerCase().replace(/[\s_]+/g, ' ');
}

/**
 * The statuses a value names. A status is written as its enum name ("NEEDS_REVIEW") or its
 * payload string ("Needs Review"), in any case: both normalize to "needs review".
 * EQUALS names one status; CONTAINS any status whose name contains the value ("review").
 */
export function statusesNamed(value: string, operator: 'EQUALS' | 'CONTAINS'): DocumentStatus[] {
  const wanted = normalizeText(value);
  return DOCUMENT_STATUSES.filter((s) => {
    const name = normalizeText(s);
    return operator === 'EQUALS' ? name === wanted : name.includes(wanted);
  });
}

/** Empty: absent, null, or text that is blank. */
export function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A scalar extracted value as text (numbers and booleans as JSON writes them). */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
