import { hash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/** `re_` followed by 40 hex characters (CONTRACT.md). */
export const TOKEN_PATTERN = /^re_[0-9a-f]{40}$/;

export function generateToken(): string {
  return `re_${randomBytes(20).toString('hex')}`;
}

/** Every request's token is hashed to be looked up: the one-shot hash builds no Hash object. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerToken(header: string | undefined | null): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * At start: accept API_TOKEN when given, as an ADMIN token (one revoked stays revoked);
 * otherwise, when no ADMIN token is in force (none yet, or all revoked or expired), make one
 * and return it so that it is printed once: a service nobody can administer is of no use.
 */
export async function bootstrapToken(em: EntityManager, configured: string | undefined): Promise<{ generated?: string; revokedBootstrap?: boolean }> {
  if (configured) {
    await em.execute(`insert into api_tokens (token_hash, name, scopes, created_at) values (?, 'API_TOKEN', '{ADMIN}', now()) on conflict (token_hash) do nothing`, [
      hashToken(configured),
    ]);
    const [row] = await em.execute<{ revoked: boolean }[]>('select revoked_at is not null as revoked from api_tokens where token_hash = ?', [
      hashToken(configured),
    ]);
    return { revokedBootstrap: row!.revoked };
  }
  return em.transactional(async (tx) => {
    // One instance generates; a concurrent start waits here and then sees the token.
    await tx.execute(`select pg_advisory_xact_lock(hashtext('recordengine.api_tokens'))`);
    const active = await tx.execute<{ n: string }[]>(
      `select count(*) as n from api_tokens where revoked_at is null and 'ADMIN' = any(scopes) and (expires_at is null or expires_at > now())`,
    );
    if (Number(active[0]!.n) > 0) return {};
    const token = generateToken();
    await tx.execute(`insert into api_tokens (token_hash, name, scopes, created_at) values (?, 'generated at start', '{ADMIN}', now())`, [hashToken(token)]);
    return { generated: token };
  });
}
