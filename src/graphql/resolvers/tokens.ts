import { listAudit } from '../../audit/audit-log.js';
import { createToken, getToken, listTokens, regenerateToken, revokeToken } from '../../auth/token-store.js';
import { UnauthenticatedError } from '../../errors.js';
import { audited } from '../audited.js';
import type { GraphQLContext } from '../context.js';
import type { Resolvers } from '../generated.js';
import { connection, decodeIdCursor, encodeIdCursor, pageSize } from '../relay.js';

function viewerOf(ctx: GraphQLContext) {
  if (!ctx.viewer) throw new UnauthenticatedError('This operation needs the token of a caller');
  return ctx.viewer;
}

export const tokenResolvers: Resolvers = {
  Query: {
    viewer: (_, __, ctx) => (ctx.viewer ? getToken(ctx.em, ctx.viewer.id) : null),
    apiTokens: async (_, { first, after }, { em }) => {
      const limit = pageSize(first);
      const rows = await listTokens(em, limit, decodeIdCursor(after));
      return connection(rows, limit, (t) => encodeIdCursor(t.id));
    },
    auditLog: async (_, { first, after }, { em }) => {
      const limit = pageSize(first);
      const rows = await listAudit(em, limit, decodeIdCursor(after));
      return connection(rows, limit, (e) => encodeIdCursor(e.id));
    },
  },
  Mutation: {
    createApiToken: (_, { input }, ctx) =>
      audited(
        ctx,
        (tx) => createToken(tx, input),
        ({ token }) => ({
          action: 'apiToken.create',
          subject: `apiToken:${token.id}`,
          changes: { name: token.name, scopes: token.scopes, expiresAt: input.expiresAt?.toISOString() ?? null },
        }),
      ),
    revokeApiToken: async (_, { id }, ctx) => {
      const token = await audited(ctx, (tx) => revokeToken(tx, id), { action: 'apiToken.revoke', subject: `apiToken:${id}` });
      // Other instances forget on the notification; this one before it answers.
      ctx.services.tokensChanged();
      return token;
    },
    regenerateApiToken: async (_, __, ctx) => {
      const viewer = viewerOf(ctx);
      const { secret } = await audited(
        ctx,
        (tx) => regenerateToken(tx, viewer.id),
        ({ token }) => ({ action: 'apiToken.regenerate', subject: `apiToken:${viewer.id}`, changes: { secret: 'regenerated', replacedBy: `apiToken:${token.id}` } }),
      );
      ctx.services.tokensChanged();
      return secret;
    },
  },
};
