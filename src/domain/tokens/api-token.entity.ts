import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Only the SHA-256 of a token is stored; the token itself is shown once. */
export const ApiToken = defineEntity({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: {
    id: p.integer().primary().autoincrement(),
    tokenHash: p.string().length(64).unique(),
    name: p.string().length(100),
    /** READ, WRITE, WEBHOOKS or ADMIN (src/auth/scopes.ts). */
    scopes: p.array(),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export type IApiToken = InferEntity<typeof ApiToken>;
