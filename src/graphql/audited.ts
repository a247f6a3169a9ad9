import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor, type AuditRecord } from '../audit/audit-log.js';
import type { GraphQLContext } from './context.js';

/** The actor of a context: its token, or the service itself for what it runs on its own. */
export function actorOf(ctx: GraphQLContext): Actor {
  return ctx.viewer ? { name: ctx.viewer.name, tokenId: ctx.viewer.id } : { name: 'service', tokenId: null };
}

/**
 * Runs a change of the configuration and records it in the audit log in one transaction: a
 * change that fails leaves no entry, and an entry never outlives a change rolled back. The
 * change's own transactions nest in this one. `entry` may depend on the result (the id of
 * what was created), which is why it comes after the change.
 */
export function audited<T>(ctx: GraphQLContext, change: (tx: EntityManager) => Promise<T>, entry: AuditRecord | ((result: T) => AuditRecord)): Promise<T> {
  return ctx.em.transactional(async (tx) => {
    const result = await change(tx);
    await recordAudit(tx, actorOf(ctx), typeof entry === 'function' ? entry(result) : entry);
    return result;
  });
}
