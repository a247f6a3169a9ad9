import { GraphQLError } from 'graphql';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { atInstant } from '../at-instant.js';

type End = (error: GraphQLError) => void;

/**
 * The tokens this instance's callback subscriptions were made with. A token revoked or regenerated
 * ends them, as it closes the WebSockets it opened (4403): the callback plugin then sends the
 * router `complete` with an UNAUTHENTICATED error.
 */
export class CallbackTokens {
  private readonly byToken = new Map<string, Set<End>>();

  /**
   * Watches a subscription's token; returns what stops watching it (the subscription ended).
   * A token with an expiry ends the subscription when it expires, as it closes a WebSocket.
   */
  watch(token: string, end: End, expiresAt: Date | null = null): () => void {
    const ends = this.byToken.get(token) ?? new Set<End>();
    ends.add(end);
    this.byToken.set(token, ends);
    let cancelExpiry = () => {};
    const unwatch = () => {
      cancelExpiry();
      ends.delete(end);
      if (ends.size === 0 && this.byToken.get(token) === ends) this.byToken.delete(token);
    };
    if (expiresAt) {
      cancelExpiry = atInstant(expiresAt, () => {
        unwatch();
        end(new GraphQLError('The bearer token of this subscription expired; subscribe again with a valid one', { extensions: { code: 'UNAUTHENTICATED' } }));
      });
    }
    return unwatch;
  }

  /** The subscriptions watched. */
  get size(): number {
    let n = 0;
    for (const ends of this.byToken.values()) n += ends.size;
    return n;
  }

  /** Ends every subscription whose token is no longer valid (after the tokens changed). */
  async revalidate(tokens: TokenVerifier): Promise<void> {
    for (const [token, ends] of [...this.byToken]) {
      if (await tokens.isValid(token)) continue;
      this.byToken.delete(token);
      const error = new GraphQLError('The bearer token of this subscription was revoked or regenerated; subscribe again with a valid one', {
        extensions: { code: 'UNAUTHENTICATED' },
      });
      for (const end of ends) end(error);
    }
  }
}
