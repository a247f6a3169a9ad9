import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { candidates } from '../../src/rules/schedule-run.js';
import type { RuleRow } from '../../src/rules/definition.js';
import { checkAction, checkConditions } from '../../src/rules/validate-rule.js';

const keys = new Set(['invoice_number', 'total_amount', 'currency']);

function problem(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('checkConditions', () => {
  it('keeps the built-in meaning of a profile key that shares its name (total_amount compares numbers)', () => {
    expect(problem(() => checkConditions([{ field: 'total_amount', operator: 'CONTAINS', value: '1' }], 'DOCUMENT_READY', keys)).message).toMatch(
      /CONTAINS does not fit total_amount/,
    );
    expect(checkConditions([{ field: 'currency', operator: 'EQUALS', value: ' CNY ' }], 'DOCUMENT_READY', keys)).toEqual([
      { field: 'currency', operator: 'EQUALS', value: 'CNY' },
    ]);
  });

  it('stores IS_EMPTY without a value and accepts a status by its payload string', () => {
    expect(
      checkConditions(
        [
          { field: 'vendor_name', operator: 'IS_EMPTY', value: '' },
          { field: 'status', operator: 'EQUALS', value: 'Needs Review' },
        ],
        'SCHEDULE',
        null,
      ),
    ).toEqual([
      { field: 'vendor_name', operator: 'IS_EMPTY', value: null },
      { field: 'status', operator: 'EQUALS', value: 'Needs Review' },
    ]);
  });

  it('names the culprit of the first problem by its path', () => {
    const err = problem(() =>
      checkConditions(
        [
          { field: 'doc_type', operator: 'EQUALS', value: 'Invoice' },
          { field: 'days_in_status', operator: 'GREATER_THAN', value: '-1' },
        ],
        'SCHEDULE',
        null,
      ),
    );
    expect(err.message).toBe('conditions[1].value "-1" must not be negative');
    expect(err.details).toMatchObject({ field: 'conditions[1].value', value: '-1' });
  });
});

describe('checkAction', () => {
  it('lets a SCHEDULE rule set any status a move leads to, a DOCUMENT_READY rule only those READY moves to', () => {
    expect(checkAction({ type: 'SET_STATUS', status: 'READY' }, 'SCHEDULE')).toEqual({ type: 'SET_STATUS', status: 'READY', folderId: null });
    expect(problem(() => checkAction({ type: 'SET_STATUS', status: 'READY' }, 'DOCUMENT_READY')).message).toMatch(/READY cannot follow READY/);
    expect(checkAction({ type: 'SET_STATUS', status: 'EXPORT' }, 'DOCUMENT_READY').status).toBe('EXPORT');
    expect(checkAction({ type: 'MOVE_FOLDER', folderId: '12' }, 'DOCUMENT_READY')).toEqual({ type: 'MOVE_FOLDER', status: null, folderId: 12 });
  });
});

describe('schedule candidates', () => {
  const rule = (action: RuleRow['action']): RuleRow => ({
    id: 1,
    name: 'r',
    enabled: true,
    trigger: 'SCHEDULE',
    intervalMinutes: 5,
    profileId: 3,
    contactId: null,
    conditions: [],
    action,
    nextRunAt: null,
    lastRunAt: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  });

  it('selects only documents from which the lifecycle allows the move', () => {
    expect(candidates(rule({ type: 'SET_STATUS', status: 'EXPORT', folderId: null }), 0)).toEqual({
      id: { $gt: 0 },
      profile: 3,
      status: { $in: ['READY', 'APPROVED'] },
    });
    expect(candidates(rule({ type: 'FLAG_REVIEW', status: null, folderId: null }), 7)).toMatchObject({
      status: { $in: ['PROCESSING', 'MISSING_INFO', 'READY', 'EXCEPTION'] },
    });
  });

  it('moves only unlocked documents that are not in the folder yet', () => {
    expect(candidates({ ...rule({ type: 'MOVE_FOLDER', status: null, folderId: 9 }), contactId: 4 }, 0)).toEqual({
      id: { $gt: 0 },
      profile: 3,
      contact: 4,
      status: { $nin: ['APPROVED', 'EXPORT', 'ARCHIVED'] },
      folder: { $ne: 9 },
    });
  });
});
