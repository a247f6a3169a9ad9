import type { DocumentStatus } from '../domain/documents/lifecycle.js';
import { describeValue } from '../errors.js';
import { BUILT_IN_FIELDS, PROFILE_FIELD, VENDOR_KEYS, type RuleCondition } from './definition.js';
import { asText, isEmptyValue, normalizeText, parseNumber, statusesNamed } from './values.js';

/** What a rule's conditions read from a document. */
export type DocumentFacts = {
  status: DocumentStatus;
  docType?: string | null;
  confidenceScore?: number | null;
  extractedFields: Record<string, unknown>;
  statusChangedAt: Date;
};

/** One condition's verdict; `problem` when the document's value could not be compared (the condition is then false). */
export type ConditionResult = { met: boolean; reason: string; problem?: string };

export type Evaluation = {
  matched: boolean;
  /** Why: the unmet conditions when it did not match, every condition when it did. */
  detail: string;
  /** The values that could not be compared, if any. */
  problem: string | null;
};

const DAY_MS = 86_400_000;

const OPERATOR_WORDS = {
  GREATER_THAN: 'greater than',
  LESS_THAN: 'less than',
  EQUALS: 'equal to',
  CONTAINS: 'containing',
  IS_EMPTY: 'empty',
  IS_NOT_EMPTY: 'not empty',
} as const;

/** Conditions joined by AND, each evaluated (so that the detail names every unmet one). */
export function evaluateConditions(conditions: readonly RuleCondition[], facts: DocumentFacts, now: Date): Evaluation {
  const results = conditions.map((c) => evaluateCondition(c, facts, now));
  const unmet = results.filter((r) => !r.met);
  const problems = results.flatMap((r) => (r.problem ? [r.problem] : []));
  return {
    matched: unmet.length === 0,
    detail: (unmet.length ? unmet : results).map((r) => r.reason).join('; '),
    problem: problems.length ? problems.join('; ') : null,
  };
}

export function evaluateCondition(condition: RuleCondition, facts: DocumentFacts, now: Date): ConditionResult {
  const { field, operator } = condition;
  const expected = condition.value ?? '';
  const spec = BUILT_IN_FIELDS[field] ?? PROFILE_FIELD;
  const actual = valueOf(field, facts, now);
  const verdict = (met: boolean, shown: unknown = actual): ConditionResult => {
    const words = OPERATOR_WORDS[operator];
    const target = condition.value === null ? '' : ` ${describeValue(condition.value)}`;
    return { met, reason: `${field} ${describeValue(shown ?? null)} is ${met ? '' : 'not '}${words}${target}` };
  };

  if (operator === 'IS_EMPTY') return verdict(isEmptyValue(actual));
  if (operator === 'IS_NOT_EMPTY') return verdict(!isEmptyValue(actual));
  if (isEmptyValue(actual)) return { met: false, reason: `${field} is empty` };

  if (spec.kind === 'number' || spec.kind === 'days') {
    const number = parseNumber(actual);
    const limit = parseNumber(expected);
    if (number === undefined || limit === undefined) {
      const problem = `${field} ${describeValue(actual)} is not a number`;
      return { met: false, reason: problem, problem };
    }
    const met = operator === 'GREATER_THAN' ? number > limit : operator === 'LESS_THAN' ? number < limit : number === limit;
    return verdict(met, spec.kind === 'days' ? Math.floor(number * 100) / 100 : actual);
  }
  if (spec.kind === 'status') {
    const named = statusesNamed(expected, operator === 'CONTAINS' ? 'CONTAINS' : 'EQUALS');
    return verdict(named.includes(facts.status));
  }
  const text = asText(actual);
  if (text === undefined) {
    const problem = `${field} ${describeValue(actual)} is not text`;
    return { met: false, reason: problem, problem };
  }
  const a = normalizeText(text);
  const b = normalizeText(expected);
  return verdict(operator === 'EQUALS' ? a === b : a.includes(b));
}

function valueOf(field: string, facts: DocumentFacts, now: Date): unknown {
  switch (field) {
    case 'confidence_score':
      return facts.confidenceScore;
    case 'status':
      return facts.status;
    case 'doc_type':
      return facts.docType;
    case 'days_in_status':
      return (now.getTime() - facts.statusChangedAt.getTime()) / DAY_MS;
    case 'vendor_name':
      return VENDOR_KEYS.map((k) => facts.extractedFields[k]).find((v) => !isEmptyValue(v)) ?? null;
    default:
      return facts.extractedFields[field];
  }
}
