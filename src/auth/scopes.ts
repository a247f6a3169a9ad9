/** What a token may do (CONTRACT.md, "Tokens with scopes"). */
export const API_SCOPES = ['READ', 'WRITE', 'WEBHOOKS', 'ADMIN'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export function isApiScope(value: string): value is ApiScope {
  return (API_SCOPES as readonly string[]).includes(value);
}

/**
 * Whether a token with `scopes` may use what needs `needed`: ADMIN may do everything, and
 * WRITE and WEBHOOKS each include READ.
 */
export function grants(scopes: readonly ApiScope[], needed: ApiScope): boolean {
  if (scopes.includes('ADMIN') || scopes.includes(needed)) return true;
  return needed === 'READ' && scopes.length > 0;
}

/** The token making a request, as the verifier knows it. */
export type Viewer = {
  id: number;
  name: string;
  scopes: readonly ApiScope[];
  expiresAt: Date | null;
};
