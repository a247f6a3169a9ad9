import { describe, expect, it } from 'vitest';
import type { RuleCondition } from '../../src/rules/definition.js';
import { evaluateCondition, evaluateConditions, type DocumentFacts } from '../../src/rules/evaluate.js';
import { parseNumber, statusesNamed } from '../../src/rules/values.js';

const NOW = new Date('2026-11-27T12:00:00Z');

function facts(overrides: Partial<DocumentFacts> = {}): DocumentFacts {
  return {
    status: 'READY',
    docType: 'Invoice',
    confidenceScore: 87,
    extractedFields: { vendor: 'Acme Corporation', invoice_number: 'INV-2025-1147', total_amount: '18500.00', currency: 'CNY' },
    statusChangedAt: new Date('2026-11-17T12:00:00Z'),
    ...overrides,
  };
}

const cond = (field: string, operator: RuleCondition['operator'], value: string | null = null): RuleCondition => ({ field, operator, value });

describe('parseNumber', () => {
  it('reads JSON numbers and decimal text, with commas only as thousands separators', () => {
    expect(parseNumber(87)).toBe(87);
    expect(parseNumber('18500.00')).toBe(18500);
    expect(parseNumber(' 18,500.50 ')).toBe(18500.5);
    expect(parseNumber('-3.5')).toBe(-3.5);
    expect(parseNumber('.5')).toBe(0.5);
  });

  it('refuses text that is not plainly a number', () => {
    for (const text of ['abc', '', '¥18,500', '18.500,00', '1,50', '1e3', '0x10', 'NaN', 'Infinity']) expect(parseNumber(text)).toBeUndefined();
    expect(parseNumber(Number.NaN)).toBeUndefined();
    expect(parseNumber(true)).toBeUndefined();
    expect(parseNumber(null)).toBeUndefined();
  });
});

describe('statusesNamed', () => {
  it('takes enum names and payload strings in any case', () => {
    expect(statusesNamed('READY', 'EQUALS')).toEqual(['READY']);
    expect(statusesNamed('Needs Review', 'EQUALS')).toEqual(['NEEDS_REVIEW']);
    expect(statusesNamed('needs_review', 'EQUALS')).toEqual(['NEEDS_REVIEW']);
    expect(statusesNamed('export', 'EQUALS')).toEqual(['EXPORT']);
    expect(statusesNamed('Review', 'CONTAINS')).toEqual(['NEEDS_REVIEW']);
    expect(statusesNamed('Ready!', 'EQUALS')).toEqual([]);
  });
});

describe('evaluateCondition', () => {
  it('compares amounts as numbers, not as text', () => {
    // As text "18500.00" < "9000"; as numbers it is greater.
    expect(evaluateCondition(cond('total_amount', 'GREATER_THAN', '9000'), facts(), NOW)).toMatchObject({ met: true });
    expect(evaluateCondition(cond('total_amount', 'LESS_THAN', '9000'), facts(), NOW)).toMatchObject({ met: false });
    expect(evaluateCondition(cond('total_amount', 'EQUALS', '18500'), facts(), NOW)).toMatchObject({ met: true });
    expect(evaluateCondition(cond('total_amount', 'EQUALS', '18,500.00'), facts({ extractedFields: { total_amount: 18500 } }), NOW)).toMatchObject({
      met: true,
    });
  });

  it('makes a value that is not a number a false condition with a problem to record', () => {
    const result = evaluateCondition(cond('total_amount', 'GREATER_THAN', '9000'), facts({ extractedFields: { total_amount: 'abc' } }), NOW);
    expect(result).toEqual({ met: false, reason: 'total_amount "abc" is not a number', problem: 'total_amount "abc" is not a number' });
  });

  it('treats a missing value as unmet without a problem', () => {
    expect(evaluateCondition(cond('total_amount', 'GREATER_THAN', '1'), facts({ extractedFields: {} }), NOW)).toEqual({
      met: false,
      reason: 'total_amount is empty',
    });
    expect(evaluateCondition(cond('confidence_score', 'GREATER_THAN', '1'), facts({ confidenceScore: null }), NOW).met).toBe(false);
  });

  it('compares confidence_score with GREATER_THAN strictly', () => {
    expect(evaluateCondition(cond('confidence_score', 'GREATER_THAN', '85'), facts(), NOW).met).toBe(true);
    expect(evaluateCondition(cond('confidence_score', 'GREATER_THAN', '87'), facts(), NOW).met).toBe(false);
    expect(evaluateCondition(cond('confidence_score', 'LESS_THAN', '90'), facts(), NOW).met).toBe(true);
  });

  it('matches status by enum name or payload string, case-insensitively', () => {
    expect(evaluateCondition(cond('status', 'EQUALS', 'Ready'), facts(), NOW).met).toBe(true);
    expect(evaluateCondition(cond('status', 'EQUALS', 'READY'), facts(), NOW).met).toBe(true);
    expect(evaluateCondition(cond('status', 'EQUALS', 'Needs Review'), facts(), NOW).met).toBe(false);
    expect(evaluateCondition(cond('status', 'CONTAINS', 'review'), facts({ status: 'NEEDS_REVIEW' }), NOW).met).toBe(true);
  });

  it('compares text trimmed and case-insensitively', () => {
    expect(evaluateCondition(cond('doc_type', 'EQUALS', 'invoice'), facts(), NOW).met).toBe(true);
    expect(evaluateCondition(cond('doc_type', 'CONTAINS', 'VOI'), facts(), NOW).met).toBe(true);
    expect(evaluateCondition(cond('doc_type', 'EQUALS', 'Receipt'), facts(), NOW).met).toBe(false);
    expect(evaluateCondition(cond('doc_type', 'EQUALS', 'Invoice'), facts({ docType: null }), NOW).met).toBe(false);
    expect(evaluateCondition(cond('currency', 'EQUALS', 'cny'), facts(), NOW).met).toBe(true);
  });

  it('reads vendor_name from vendor_name, else from vendor', () => {
    expect(evaluateCondition(cond('vendor_name', 'CONTAINS', 'acme'), facts(), NOW).met).toBe(true);
    expect(evaluateCondition(cond('vendor_name', 'IS_NOT_EMPTY'), facts(), NOW).met).toBe(true);
    expect(evaluateCondition(cond('vendor_name', 'IS_EMPTY'), facts({ extractedFields: { vendor: '  ' } }), NOW).met).toBe(true);
    expect(evaluateCondition(cond('vendor_name', 'CONTAINS', 'Beta'), facts({ extractedFields: { vendor_name: 'Beta Ltd', vendor: 'Acme' } }), NOW).met).toBe(true);
  });

  it('counts days_in_status from statusChangedAt', () => {
    expect(evaluateCondition(cond('days_in_status', 'GREATER_THAN', '7'), facts(), NOW)).toMatchObject({ met: true, reason: 'days_in_status 10 is greater than "7"' });
    expect(evaluateCondition(cond('days_in_status', 'GREATER_THAN', '10'), facts(), NOW).met).toBe(false);
  });

  it('tests extracted fields of the profile with IS_EMPTY', () => {
    expect(evaluateCondition(cond('due_date', 'IS_EMPTY'), facts(), NOW).met).toBe(true);
    expect(evaluateCondition(cond('invoice_number', 'IS_EMPTY'), facts(), NOW).met).toBe(false);
  });
});

describe('evaluateConditions', () => {
  it('joins conditions by AND and names every unmet one', () => {
    const conditions = [cond('confidence_score', 'GREATER_THAN', '90'), cond('doc_type', 'EQUALS', 'Invoice'), cond('total_amount', 'LESS_THAN', 'x')];
    const result = evaluateConditions(conditions, facts({ extractedFields: { total_amount: 'n/a' } }), NOW);
    expect(result.matched).toBe(false);
    expect(result.detail).toBe('confidence_score 87 is not greater than "90"; total_amount "n/a" is not a number');
    expect(result.problem).toBe('total_amount "n/a" is not a number');
  });

  it('explains a match with every condition', () => {
    const result = evaluateConditions([cond('confidence_score', 'GREATER_THAN', '85'), cond('doc_type', 'EQUALS', 'Invoice')], facts(), NOW);
    expect(result).toEqual({
      matched: true,
      detail: 'confidence_score 87 is greater than "85"; doc_type "Invoice" is equal to "Invoice"',
      problem: null,
    });
  });
});
