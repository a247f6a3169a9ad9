import type { SqlPool } from '../db/sql-pool.js';
import { TOKEN_PATTERN, hashToken } from './tokens.js';

/**
 * Checks bearer tokens and remembers the valid ones, so that a request costs no query for its
 * token. regenerateToken() notifies recordengine_tokens and every instance forgets then; while
 * the notification listener is disconnected a notification could be missed, so nothing is
 * remembered until it is back.
 */
export class TokenVerifier {
  private readonly valid = new Set<string>();
  private generation = 0;
  private listening = false;

  constructor(private readonly sql: Pick<SqlPool, 'query'>) {}

  async isValid(token: string): Promise<boolean> {
    if (!TOKEN_PATTERN.test(token)) return false;
    const hash = hashToken(token);
    if (this.listening && this.valid.has(hash)) return true;
    const generation = this.generation;
    const { rows } = await this.sql.query({ name: 'token-is-valid', text: 'select 1 from api_tokens where token_hash = $1 and revoked_at is null', values: [hash] });
    const valid = rows.length > 0;
    // A regeneration seen while the query ran may have revoked the token: keep only answers it has not overtaken.
    if (valid && this.listening && generation === this.generation) this.valid.add(hash);
    return valid;
  }

  /** The tokens changed: a regeneration here, or a notification from any instance. */
  forget(): void {
    this.generation++;
    this.valid.clear();
  }

  /** Follows the notification listener: remembering is safe only while it is connected. */
  setListening(listening: boolean): void {
    this.forget();
    this.listening = listening;
  }
}
