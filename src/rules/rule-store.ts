import type { EntityManager } from '@mikro-orm/postgresql';
import type { DocumentStatus } from '../domain/documents/lifecycle.js';
import { parseId } from '../domain/validate.js';
import { NotFoundError } from '../errors.js';
import type { RuleActionType, RuleCondition, RuleRow, RuleTrigger } from './definition.js';
import { resolveRuleInput, type RuleDefinition, type RuleInput } from './validate-rule.js';

export type RawRule = {
  id: number;
  name: string;
  enabled: boolean;
  trigger: RuleTrigger;
  interval_minutes: number | null;
  profile_id: number | null;
  contact_id: number | null;
  conditions: RuleCondition[] | string;
  action_type: RuleActionType;
  action_status: DocumentStatus | null;
  action_folder_id: number | null;
  next_run_at: Date | null;
  last_run_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

export const RULE_COLUMNS = `r.id, r.name, r.enabled, r.trigger, r.interval_minutes, r.profile_id, r.contact_id, r.conditions,
  r.action_type, r.action_status, r.action_folder_id, r.next_run_at, r.last_run_at, r.created_at, r.updated_at`;

export function toRuleRow(raw: RawRule): RuleRow {
  return {
    id: raw.id,
    name: raw.name,
    enabled: raw.enabled,
    trigger: raw.trigger,
    intervalMinutes: raw.interval_minutes,
    profileId: raw.profile_id,
    contactId: raw.contact_id,
    conditions: typeof raw.conditions === 'string' ? (JSON.parse(raw.conditions) as RuleCondition[]) : raw.conditions,
    action: { type: raw.action_type, status: raw.action_status, folderId: raw.action_folder_id },
    nextRunAt: raw.next_run_at,
    lastRunAt: raw.last_run_at,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}

export async function selectRules(em: EntityManager, where: string, params: unknown[]): Promise<RuleRow[]> {
  const rows = await em.execute<RawRule[]>(`select ${RULE_COLUMNS} from rules r ${where}`, params);
  return rows.map(toRuleRow);
}

export async function listRules(em: EntityManager): Promise<RuleRow[]> {
  return selectRules(em, 'order by r.id', []);
}

export async function getRule(em: EntityManager, id: string): Promise<RuleRow | null> {
  const [rule] = await selectRules(em, 'where r.id = ?', [parseId('id', id)]);
  return rule ?? null;
}

export async function createRule(em: EntityManager, input: RuleInput): Promise<RuleRow> {
  const def = await resolveRuleInput(em, input);
  // A schedule starts one interval after it is saved, not at once: saving a rule never acts by itself.
  const inserted = await em.execute<{ id: number }[]>(
    `insert into rules (name, enabled, trigger, interval_minutes, profile_id, contact_id, conditions, action_type, action_status, action_folder_id, next_run_at)
     values (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, case when ?::int is null then null else now() + make_interval(mins => ?::int) end)
     returning id`,
    [...definitionParams(def, def.enabled ?? true), def.intervalMinutes, def.intervalMinutes],
  );
  return (await getRule(em, String(inserted[0]!.id)))!;
}

/**
 * Replaces a rule's definition; `enabled` left out stays as it is. A schedule whose interval
 * or trigger changed, or that is switched on, starts again one interval from now.
 */
export async function updateRule(em: EntityManager, id: string, input: RuleInput): Promise<RuleRow> {
  const ruleId = parseId('id', id);
  return em.transactional(async (tx) => {
    const [current] = await selectRules(tx, 'where r.id = ? for update', [ruleId]);
    if (!current) throw new NotFoundError('Rule', id);
    const def = await resolveRuleInput(tx, input);
    const enabled = def.enabled ?? current.enabled;
    const restart = def.intervalMinutes !== current.intervalMinutes || (enabled && !current.enabled);
    await tx.execute(
      `update rules set name = ?, enabled = ?, trigger = ?, interval_minutes = ?, profile_id = ?, contact_id = ?, conditions = ?::jsonb,
         action_type = ?, action_status = ?, action_folder_id = ?,
         next_run_at = case when ?::int is null then null when ? then now() + make_interval(mins => ?::int) else next_run_at end,
         updated_at = now()
       where id = ?`,
      [...definitionParams(def, enabled), def.intervalMinutes, restart, def.intervalMinutes, ruleId],
    );
    return (await getRule(tx, String(ruleId)))!;
  });
}

export async function setRuleEnabled(em: EntityManager, id: string, enabled: boolean): Promise<RuleRow> {
  const rows = await em.execute<{ id: number }[]>(
    `update rules set enabled = ?, updated_at = now(),
       next_run_at = case when interval_minutes is not null and ? and not enabled then now() + make_interval(mins => interval_minutes) else next_run_at end
     where id = ? returning id`,
    [enabled, enabled, parseId('id', id)],
  );
  if (!rows[0]) throw new NotFoundError('Rule', id);
  return (await getRule(em, id))!;
}

/** Deletes a rule; its executions stay, with the rule's name. */
export async function deleteRule(em: EntityManager, id: string): Promise<boolean> {
  const rows = await em.execute<{ id: number }[]>(`delete from rules where id = ? returning id`, [parseId('id', id)]);
  if (!rows[0]) throw new NotFoundError('Rule', id);
  return true;
}

function definitionParams(def: RuleDefinition, enabled: boolean): unknown[] {
  return [
    def.name,
    enabled,
    def.trigger,
    def.intervalMinutes,
    def.profileId,
    def.contactId,
    JSON.stringify(def.conditions),
    def.action.type,
    def.action.status,
    def.action.folderId,
  ];
}
