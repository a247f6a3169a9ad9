import DataLoader from 'dataloader';
import { Document, type IDocument } from '../../domain/documents/document.entity.js';
import type { RuleRow } from '../../rules/definition.js';
import { lastExecutionTimes, listExecutions } from '../../rules/executions.js';
import { createRule, deleteRule, getRule, listRules, selectRules, setRuleEnabled, updateRule } from '../../rules/rule-store.js';
import type { GraphQLContext } from '../context.js';
import { audited } from '../audited.js';
import { presentFields } from '../../audit/changes.js';
import type { Resolvers } from '../generated.js';
import { connection, decodeIdCursor, encodeIdCursor, pageSize } from '../relay.js';

/** Batched lookups of the rules part, one set per request (keyed by the request's context). */
const loadersByContext = new WeakMap<GraphQLContext, ReturnType<typeof ruleLoaders>>();

function ruleLoaders({ em }: GraphQLContext) {
  return {
    rule: new DataLoader<number, RuleRow | null>(async (ids) => {
      const rows = await selectRules(em, 'where r.id in (select value::int from jsonb_array_elements_text(?::jsonb))', [JSON.stringify(ids)]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    document: new DataLoader<number, IDocument | null>(async (ids) => {
      const rows = await em.find(Document, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((d) => [d.id, d]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    lastExecution: new DataLoader<number, Date | null>((ids) => lastExecutionTimes(em, ids)),
  };
}

function loaders(ctx: GraphQLContext) {
  let l = loadersByContext.get(ctx);
  if (!l) loadersByContext.set(ctx, (l = ruleLoaders(ctx)));
  return l;
}

export const ruleResolvers: Resolvers = {
  Query: {
    rules: (_, __, { em }) => listRules(em),
    rule: (_, { id }, { em }) => getRule(em, id),
    ruleExecutions: async (_, { ruleId, documentId, first, after }, { em }) => {
      const limit = pageSize(first);
      const rows = await listExecutions(em, { ruleId, documentId }, limit, decodeIdCursor(after));
      return connection(rows, limit, (e) => encodeIdCursor(e.id));
    },
  },
  Mutation: {
    createRule: (_, { input }, ctx) =>
      audited(
        ctx,
        (tx) => createRule(tx, input),
        (r) => ({ action: 'rule.create', subject: `rule:${r.id}`, changes: presentFields(input) }),
      ),
    updateRule: (_, { id, input }, ctx) => audited(ctx, (tx) => updateRule(tx, id, input), { action: 'rule.update', subject: `rule:${id}`, changes: presentFields(input) }),
    setRuleEnabled: (_, { id, enabled }, ctx) =>
      audited(ctx, (tx) => setRuleEnabled(tx, id, enabled), { action: enabled ? 'rule.enable' : 'rule.disable', subject: `rule:${id}`, changes: { enabled } }),
    deleteRule: (_, { id }, ctx) => audited(ctx, (tx) => deleteRule(tx, id), { action: 'rule.delete', subject: `rule:${id}` }),
  },
  Rule: {
    profile: (r, _, { loaders }) => (r.profileId === null ? null : loaders.profile.load(r.profileId)),
    contact: (r, _, { loaders }) => (r.contactId === null ? null : loaders.contact.load(r.contactId)),
    lastRunAt: (r, _, ctx) => (r.trigger === 'SCHEDULE' ? r.lastRunAt : loaders(ctx).lastExecution.load(r.id)),
  },
  RuleAction: {
    folder: (a, _, { loaders }) => (a.folderId === null ? null : loaders.folder.load(a.folderId)),
  },
  RuleExecution: {
    rule: (e, _, ctx) => (e.ruleId === null ? null : loaders(ctx).rule.load(e.ruleId)),
    document: async (e, _, ctx) => (await loaders(ctx).document.load(e.documentId))!,
  },
};
