import type { EntityManager } from '@mikro-orm/postgresql';
import { NOTIFY } from '../db/notify-channels.js';
import { parseId, requiredText } from '../domain/validate.js';
import { NotFoundError, ValidationError, describeValue } from '../errors.js';
import { API_SCOPES, isApiScope, type ApiScope } from './scopes.js';
import { generateToken, hashToken } from './tokens.js';

export const TOKEN_NAME_MAX = 100;

export type TokenRow = {
  id: number;
  name: string;
  scopes: ApiScope[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

export type TokenInput = { name: string; scopes: readonly string[]; expiresAt?: Date | null };

const COLUMNS = `id, name, scopes, created_at as "createdAt", expires_at as "expiresAt", last_used_at as "lastUsedAt", revoked_at as "revokedAt"`;

/** Checks a new token's name, scopes and expiry: one or more known scopes, an expiry in the future. */
export function checkTokenInput(input: TokenInput): { name: string; scopes: ApiScope[]; expiresAt: Date | null } {
  const name = requiredText('name', input.name, TOKEN_NAME_MAX);
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) throw new ValidationError(`scopes must name at least one of ${API_SCOPES.join(', ')}`, { field: 'scopes', value: [] });
  const unknown = scopes.find((s) => !isApiScope(s));
  if (unknown !== undefined) throw new ValidationError(`scope ${describeValue(unknown)} is not one of ${API_SCOPES.join(', ')}`, { field: 'scopes', value: unknown });
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    throw new ValidationError(`expiresAt ${expiresAt.toISOString()} is not in the future`, { field: 'expiresAt', value: expiresAt.toISOString() });
  }
  return { name, scopes: scopes as ApiScope[], expiresAt };
}

export async function getToken(em: EntityManager, id: number): Promise<TokenRow | null> {
  const [row] = await em.execute<TokenRow[]>(`select ${COLUMNS} from api_tokens where id = ?`, [id]);
  return row ?? null;
}

/** Newest first; `before` is the id of the last token of the previous page. */
export function listTokens(em: EntityManager, first: number, before: number | undefined): Promise<TokenRow[]> {
  return em.execute<TokenRow[]>(`select ${COLUMNS} from api_tokens where ?::int is null or id < ?::int order by id desc limit ?`, [
    before ?? null,
    before ?? null,
    first + 1,
  ]);
}

/** A new token; its secret is returned here only, and only its hash is stored. */
export async function createToken(em: EntityManager, input: TokenInput): Promise<{ token: TokenRow; secret: string }> {
  const { name, scopes, expiresAt } = checkTokenInput(input);
  const secret = generateToken();
  const [row] = await em.execute<{ id: number }[]>(
    `insert into api_tokens (token_hash, name, scopes, expires_at, created_at)
     values (?, ?, array(select jsonb_array_elements_text(?::jsonb)), ?, now()) returning id`,
    [hashToken(secret), name, JSON.stringify(scopes), expiresAt],
  );
  return { token: (await getToken(em, row!.id))!, secret };
}

/**
 * Revokes a token at once on every instance: they forget it on the notification, close its
 * WebSockets (4403) and end its callback subscriptions. The last ADMIN token in force is
 * refused: nobody could manage tokens after it. Revoking a revoked token changes nothing.
 */
export async function revokeToken(em: EntityManager, idText: string): Promise<TokenRow> {
  const id = parseId('id', idText);
  return em.transactional(async (tx) => {
    // One revocation at a time: two that each leave one ADMIN token would otherwise leave none.
    await tx.execute(`select pg_advisory_xact_lock(hashtext('recordengine.api_tokens'))`);
    const current = await getToken(tx, id);
    if (!current) throw new NotFoundError('ApiToken', idText);
    if (current.revokedAt) return current;
    if (current.scopes.includes('ADMIN')) {
      const [other] = await tx.execute<{ n: string }[]>(
        `select count(*) as n from api_tokens where id <> ? and revoked_at is null and 'ADMIN' = any(scopes) and (expires_at is null or expires_at > now())`,
        [id],
      );
      if (Number(other!.n) === 0) {
        throw new ValidationError(`Token ${describeValue(idText)} is the last ADMIN token in force; create another ADMIN token before revoking it`, {
          field: 'id',
          value: idText,
        });
      }
    }
    await tx.execute('update api_tokens set revoked_at = now() where id = ?', [id]);
    await tx.execute(`select pg_notify('${NOTIFY.tokens}', ?)`, [String(id)]);
    return (await getToken(tx, id))!;
  });
}

/**
 * Replaces the calling token with a new secret: the old one is revoked at once (as a
 * revocation) and a new token takes its name, scopes and expiry. A row per secret, so that a
 * revoked API_TOKEN stays revoked across restarts (bootstrapToken finds its hash revoked).
 */
export async function regenerateToken(em: EntityManager, id: number): Promise<{ token: TokenRow; secret: string }> {
  const secret = generateToken();
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<{ id: number }[]>(
      `with old as (
         update api_tokens set revoked_at = now() where id = ? and revoked_at is null returning name, scopes, expires_at
       )
       insert into api_tokens (token_hash, name, scopes, expires_at, created_at)
       select ?, name, scopes, expires_at, now() from old returning id`,
      [id, hashToken(secret)],
    );
    if (!row) throw new NotFoundError('ApiToken', id);
    await tx.execute(`select pg_notify('${NOTIFY.tokens}', ?)`, [String(id)]);
    return { token: (await getToken(tx, row.id))!, secret };
  });
}
