import type { DocumentStatus } from '../domain/documents/lifecycle.js';

export const RULE_TRIGGERS = ['DOCUMENT_READY', 'SCHEDULE'] as const;
export type RuleTrigger = (typeof RULE_TRIGGERS)[number];

export const RULE_OPERATORS = ['GREATER_THAN', 'LESS_THAN', 'EQUALS', 'CONTAINS', 'IS_EMPTY', 'IS_NOT_EMPTY'] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];

export const RULE_ACTION_TYPES = ['SET_STATUS', 'FLAG_REVIEW', 'MOVE_FOLDER'] as const;
export type RuleActionType = (typeof RULE_ACTION_TYPES)[number];

export type RuleOutcome = 'APPLIED' | 'SKIPPED' | 'FAILED';

export type RuleCondition = { field: string; operator: RuleOperator; value: string | null };

export type RuleActionRow = { type: RuleActionType; status: DocumentStatus | null; folderId: number | null };

/** A rule as stored: what the engine runs and what `rules` lists. */
export type RuleRow = {
  id: number;
  name: string;
  enabled: boolean;
  trigger: RuleTrigger;
  intervalMinutes: number | null;
  profileId: number | null;
  contactId: number | null;
  conditions: RuleCondition[];
  action: RuleActionRow;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

export const MAX_CONDITIONS = 5;

/** How a field's values compare: as numbers, as text, as a status, or as elapsed days. */
export type FieldKind = 'number' | 'text' | 'status' | 'days';

export type FieldSpec = {
  kind: FieldKind;
  operators: readonly RuleOperator[];
  /** Only SCHEDULE rules may use it (a DOCUMENT_READY rule runs the instant the status changed). */
  scheduleOnly?: boolean;
};

/**
 * The built-in fields, with the operators each one accepts. Any other field is an
 * extracted-field key of the rule's extraction profile (PROFILE_FIELD).
 */
export const BUILT_IN_FIELDS: Readonly<Record<string, FieldSpec>> = {
  confidence_score: { kind: 'number', operators: ['GREATER_THAN', 'LESS_THAN', 'EQUALS'] },
  total_amount: { kind: 'number', operators: ['GREATER_THAN', 'LESS_THAN', 'EQUALS'] },
  status: { kind: 'status', operators: ['EQUALS', 'CONTAINS'] },
  doc_type: { kind: 'text', operators: ['EQUALS', 'CONTAINS'] },
  vendor_name: { kind: 'text', operators: ['IS_EMPTY', 'IS_NOT_EMPTY', 'CONTAINS'] },
  days_in_status: { kind: 'days', operators: ['GREATER_THAN'], scheduleOnly: true },
};

export const PROFILE_FIELD: FieldSpec = { kind: 'text', operators: ['EQUALS', 'CONTAINS', 'IS_EMPTY', 'IS_NOT_EMPTY'] };

/** The extracted-field keys that vendor_name reads, in order: the reference's payload calls it "vendor". */
export const VENDOR_KEYS = ['vendor_name', 'vendor'] as const;

export function takesValue(operator: RuleOperator): boolean {
  return operator !== 'IS_EMPTY' && operator !== 'IS_NOT_EMPTY';
}
