import type { SqlPool } from '../db/sql-pool.js';
import type { ApiScope, Viewer } from './scopes.js';
import { TOKEN_PATTERN, hashToken } from './tokens.js';

/** How often one instance records that a token was used: never a write per request. */
export const LAST_USED_INTERVAL_MS = 60_000;

type TokenRow = { id: number; name: string; scopes: ApiScope[]; expires_at: Date | null };

/**
 * Checks bearer tokens and remembers the valid ones, so that a request costs no query for its
 * token. Revoking or regenerating notifies recordengine_tokens and every instance forgets then;
 * while the notification listener is disconnected a notification could be missed, so nothing
 * is remembered until it is back. An expiry needs no notification: it is compared with the
 * clock at every use, remembered or not.
 */
export class TokenVerifier {
  private readonly valid = new Map<string, Viewer>();
  /** When this instance last wrote each token's last_used_at (ms since the epoch). */
  private readonly touched = new Map<number, number>();
  private generation = 0;
  private listening = false;

  constructor(
    private readonly sql: Pick<SqlPool, 'query'>,
    private readonly lastUsedIntervalMs = LAST_USED_INTERVAL_MS,
  ) {}

  /** The token's holder, or undefined when the token is unknown, revoked or expired. */
  async verify(token: string): Promise<Viewer | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const hash = hashToken(token);
    let viewer = this.listening ? this.valid.get(hash) : undefined;
    if (!viewer) {
      const generation = this.generation;
      const { rows } = await this.sql.query<TokenRow>({
        name: 'token-verify',
        text: 'select id, name, scopes, expires_at from api_tokens where token_hash = $1 and revoked_at is null',
        values: [hash],
      });
      const row = rows[0];
      if (!row) return undefined;
      viewer = { id: row.id, name: row.name, scopes: row.scopes, expiresAt: row.expires_at };
      // A revocation seen while the query ran may have revoked the token: keep only answers it has not overtaken.
      if (this.listening && generation === this.generation) this.valid.set(hash, viewer);
    }
    if (viewer.expiresAt && viewer.expiresAt.getTime() <= Date.now()) return undefined;
    await this.touch(viewer.id);
    return viewer;
  }

  async isValid(token: string): Promise<boolean> {
    return (await this.verify(token)) !== undefined;
  }

  /** The tokens changed: a revocation here, or a notification from any instance. */
  forget(): void {
    this.generation++;
    this.valid.clear();
  }

  /** Follows the notification listener: remembering is safe only while it is connected. */
  setListening(listening: boolean): void {
    this.forget();
    this.listening = listening;
  }

  /**
   * At most one write per token per interval from this instance, and the statement skips a
   * row another instance touched within it: last_used_at is as fresh as the interval.
   */
  private async touch(id: number): Promise<void> {
    const now = Date.now();
    const last = this.touched.get(id);
    if (last !== undefined && now - last < this.lastUsedIntervalMs) return;
    this.touched.set(id, now);
    await this.sql.query({
      name: 'token-touch',
      text: `update api_tokens set last_used_at = now()
             where id = $1 and (last_used_at is null or last_used_at <= now() - make_interval(secs => $2))`,
      values: [id, this.lastUsedIntervalMs / 1000],
    });
  }
}
