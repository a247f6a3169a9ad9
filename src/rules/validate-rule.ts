import type { EntityManager } from '@mikro-orm/postgresql';
import { Contact } from '../domain/contacts/contact.entity.js';
import { TRANSITIONS, type DocumentStatus } from '../domain/documents/lifecycle.js';
import { Folder } from '../domain/folders/folder.entity.js';
import { ExtractionProfile } from '../domain/profiles/extraction-profile.entity.js';
import { LIMITS, parseId, requiredText } from '../domain/validate.js';
import { NotFoundError, ValidationError, describeValue } from '../errors.js';
import {
  BUILT_IN_FIELDS,
  MAX_CONDITIONS,
  PROFILE_FIELD,
  takesValue,
  type RuleActionRow,
  type RuleActionType,
  type RuleCondition,
  type RuleOperator,
  type RuleTrigger,
} from './definition.js';
import { parseNumber, statusesNamed } from './values.js';

export type RuleInput = {
  name: string;
  enabled?: boolean | null;
  trigger: RuleTrigger;
  intervalMinutes?: number | null;
  profileId?: string | null;
  contactId?: string | null;
  conditions: { field: string; operator: RuleOperator; value?: string | null }[];
  action: { type: RuleActionType; status?: DocumentStatus | null; folderId?: string | null };
};

/** A rule ready to store: every reference checked, the scope settled. */
export type RuleDefinition = {
  name: string;
  enabled: boolean | undefined;
  trigger: RuleTrigger;
  intervalMinutes: number | null;
  profileId: number | null;
  contactId: number | null;
  conditions: RuleCondition[];
  action: RuleActionRow;
};

export const MAX_INTERVAL_MINUTES = 525_600;
const MAX_VALUE_LENGTH = 200;

/** Statuses some lifecycle move leads to: the only ones a SET_STATUS rule can ever reach. */
const REACHABLE: ReadonlySet<DocumentStatus> = new Set(Object.values(TRANSITIONS).flat());

/**
 * Checks a RuleInput against the database (profile, contact, folder) and the field and
 * action tables; the first problem is a BAD_USER_INPUT (or NOT_FOUND) naming the culprit.
 * A MOVE_FOLDER rule is scoped to the target folder's contact.
 */
export async function resolveRuleInput(em: EntityManager, input: RuleInput): Promise<RuleDefinition> {
  const name = requiredText('name', input.name, LIMITS.name);
  const intervalMinutes = checkInterval(input.trigger, input.intervalMinutes ?? null);

  let profileKeys: Set<string> | null = null;
  let profileId: number | null = null;
  if (input.profileId != null) {
    const profile = await em.findOne(ExtractionProfile, parseId('profileId', input.profileId));
    if (!profile) throw new NotFoundError('ExtractionProfile', input.profileId);
    profileId = profile.id;
    profileKeys = new Set(profile.fields.map((f) => f.key));
  }
  let contactId: number | null = null;
  if (input.contactId != null) {
    const contact = await em.findOne(Contact, parseId('contactId', input.contactId));
    if (!contact) throw new NotFoundError('Contact', input.contactId);
    contactId = contact.id;
  }

  const conditions = checkConditions(input.conditions, input.trigger, profileKeys);
  const action = checkAction(input.action, input.trigger);
  if (action.type === 'MOVE_FOLDER') {
    const folder = await em.findOne(Folder, action.folderId!);
    if (!folder) throw new NotFoundError('Folder', input.action.folderId!);
    if (contactId !== null && folder.contact.id !== contactId) {
      throw new ValidationError(
        `action.folderId ${folder.id} is a folder of contact ${folder.contact.id}, not of the rule's contact ${contactId}: a rule moves documents only between folders of their own contact`,
        { field: 'action.folderId', value: input.action.folderId },
      );
    }
    contactId = folder.contact.id;
  }
  return { name, enabled: input.enabled ?? undefined, trigger: input.trigger, intervalMinutes, profileId, contactId, conditions, action };
}

function checkInterval(trigger: RuleTrigger, interval: number | null): number | null {
  if (trigger === 'DOCUMENT_READY') {
    if (interval !== null) {
      throw new ValidationError(`intervalMinutes ${interval} is only for SCHEDULE rules; a DOCUMENT_READY rule runs when a document reaches READY`, {
        field: 'intervalMinutes',
        value: interval,
      });
    }
    return null;
  }
  if (interval === null) throw new ValidationError('A SCHEDULE rule needs intervalMinutes (1 or more)', { field: 'intervalMinutes', value: null });
  if (!Number.isInteger(interval) || interval < 1 || interval > MAX_INTERVAL_MINUTES) {
    throw new ValidationError(`intervalMinutes ${interval} must be between 1 and ${MAX_INTERVAL_MINUTES}`, { field: 'intervalMinutes', value: interval });
  }
  return interval;
}

export function checkConditions(
  inputs: RuleInput['conditions'],
  trigger: RuleTrigger,
  profileKeys: ReadonlySet<string> | null,
): RuleCondition[] {
  if (inputs.length === 0 || inputs.length > MAX_CONDITIONS) {
    throw new ValidationError(`A rule has 1 to ${MAX_CONDITIONS} conditions, not ${inputs.length}`, { field: 'conditions', count: inputs.length });
  }
  return inputs.map((input, i) => {
    const at = `conditions[${i}]`;
    const field = input.field.trim();
    const builtIn = BUILT_IN_FIELDS[field];
    const spec = builtIn ?? (profileKeys?.has(field) ? PROFILE_FIELD : undefined);
    if (!spec) {
      const known = [...Object.keys(BUILT_IN_FIELDS), ...(profileKeys ?? [])].join(', ');
      throw new ValidationError(
        `${at}.field ${describeValue(input.field)} is not a field a rule can test (${known}` +
          (profileKeys ? ')' : '; an extracted field key needs the rule\'s profileId)'),
        { field: `${at}.field`, value: input.field },
      );
    }
    if (!spec.operators.includes(input.operator)) {
      throw new ValidationError(`${at}.operator ${input.operator} does not fit ${field} (it takes ${spec.operators.join(', ')})`, {
        field: `${at}.operator`,
        value: input.operator,
      });
    }
    if (spec.scheduleOnly && trigger !== 'SCHEDULE') {
      throw new ValidationError(`${at}.field ${field} is only for SCHEDULE rules: a ${trigger} rule runs the moment the status changes`, {
        field: `${at}.field`,
        value: field,
      });
    }
    return { field, operator: input.operator, value: checkValue(at, field, spec.kind, input.operator, input.value ?? null) };
  });
}

function checkValue(at: string, field: string, kind: string, operator: RuleOperator, value: string | null): string | null {
  const path = `${at}.value`;
  if (!takesValue(operator)) {
    if (value !== null && value.trim() !== '') {
      throw new ValidationError(`${path} ${describeValue(value)}: ${operator} takes no value`, { field: path, value });
    }
    return null;
  }
  if (value === null || value.trim() === '') throw new ValidationError(`${path} is needed: ${field} ${operator} compares with a value`, { field: path, value });
  const text = value.trim();
  if (text.length > MAX_VALUE_LENGTH) {
    throw new ValidationError(`${path} is ${text.length} characters long; the limit is ${MAX_VALUE_LENGTH}`, { field: path, length: text.length });
  }
  if (kind === 'number' || kind === 'days') {
    const number = parseNumber(text);
    if (number === undefined) throw new ValidationError(`${path} ${describeValue(value)} is not a number (${field} compares numbers)`, { field: path, value });
    if (kind === 'days' && number < 0) throw new ValidationError(`${path} ${describeValue(value)} must not be negative`, { field: path, value });
  }
  if (kind === 'status' && statusesNamed(text, operator === 'CONTAINS' ? 'CONTAINS' : 'EQUALS').length === 0) {
    throw new ValidationError(`${path} ${describeValue(value)} names no document status (READY, "Needs Review", …)`, { field: path, value });
  }
  return text;
}

export function checkAction(input: RuleInput['action'], trigger: RuleTrigger): RuleActionRow {
  const status = input.status ?? null;
  const folderId = input.folderId ?? null;
  if (input.type !== 'SET_STATUS' && status !== null) {
    throw new ValidationError(`action.status ${status} is only for SET_STATUS, not ${input.type}`, { field: 'action.status', value: status });
  }
  if (input.type !== 'MOVE_FOLDER' && folderId !== null) {
    throw new ValidationError(`action.folderId ${describeValue(folderId)} is only for MOVE_FOLDER, not ${input.type}`, {
      field: 'action.folderId',
      value: folderId,
    });
  }
  switch (input.type) {
    case 'SET_STATUS':
      if (status === null) throw new ValidationError('A SET_STATUS action needs action.status', { field: 'action.status', value: null });
      if (!REACHABLE.has(status)) {
        throw new ValidationError(`action.status ${status} is not a status any lifecycle move leads to`, { field: 'action.status', value: status });
      }
      if (trigger === 'DOCUMENT_READY' && !TRANSITIONS.READY.includes(status)) {
        throw new ValidationError(
          `action.status ${status} cannot follow READY, so a DOCUMENT_READY rule could never apply it (from READY a document can move to ${TRANSITIONS.READY.join(', ')})`,
          { field: 'action.status', value: status },
        );
      }
      return { type: 'SET_STATUS', status, folderId: null };
    case 'FLAG_REVIEW':
      return { type: 'FLAG_REVIEW', status: null, folderId: null };
    case 'MOVE_FOLDER':
      if (folderId === null) throw new ValidationError('A MOVE_FOLDER action needs action.folderId', { field: 'action.folderId', value: null });
      return { type: 'MOVE_FOLDER', status: null, folderId: parseId('action.folderId', folderId) };
  }
}
