import type { Server } from 'node:http';
import { GraphQLError, getOperationAST, parse, specifiedRules, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import { bearerToken } from '../auth/tokens.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { Viewer } from '../auth/scopes.js';
import { scopeError } from '../graphql/scope-check.js';
import { atInstant } from '../at-instant.js';
import { depthLimit } from '../graphql/depth-limit.js';
import { formatError } from '../graphql/errors.js';
import type { ContextFactory } from '../graphql/context-factory.js';
import { sharedSubscribe } from '../subscriptions/shared-execution.js';
import { SharedFrameSocket, SharedResult } from '../subscriptions/shared-frame.js';
import { MAX_QUERY_TOKENS } from '../graphql/limits.js';
import { requestLimitErrors } from '../graphql/request-limits.js';
import type { SubscriptionStreams } from '../subscriptions/streams.js';


/** The close codes this server sends itself (graphql-ws sends its own 44xx for protocol errors). */
export const WS_CLOSE = {
  /** The server is shutting down. */
  goingAway: 1001,
  /** The subscriber fell WS_SUBSCRIBER_BUFFER events behind: reconnect and resume from the last cursor. */
  tryAgainLater: 1013,
  /** No connection_init within WS_CONNECTION_INIT_TIMEOUT (graphql-ws: also a subscribe before connection_init). */
  unauthorized: 4401,
  /** Missing or wrong token, or a token revoked (revokeApiToken, regenerateApiToken) or expired. */
  forbidden: 4403,
} as const;

/** A peer that does not answer our close frame within this time is cut off. */
const CLOSE_TIMEOUT_MS = 5_000;

export type WebSocketDeps = {
  httpServer: Server;
  schema: GraphQLSchema;
  tokens: TokenVerifier;
  log: Logger;
  makeContext: ContextFactory;
  /** The subscription streams of one socket; onOverflow runs when one of its subscribers falls too far behind. */
  streams(onOverflow: () => void): SubscriptionStreams;
  maxDepth: number;
  /** The most an operation may cost (GRAPHQL_MAX_COST). */
  maxCost: number;
  maxPayloadBytes: number;
  connectionInitTimeoutMs: number;
  keepAliveMs: number;
  maxSubscriptionsPerSocket: number;
  bufferSize: number;
  onSlowSubscriber(): void;
};

export type WebSocketTransport = {
  readonly connections: number;
  /** Closes (4403) the sockets whose token is no longer valid. */
  revalidateTokens(): Promise<void>;
  /** Closes every socket with 1001 and stops accepting; idempotent. */
  dispose(): Promise<void>;
};

function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions.code) return error;
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });
}

function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : undefined;
}

/**
 * graphql-ws on the HTTP server's port and path. The transport only: authentication,
 * limits and error formatting here; what subscriptions stream lives in src/subscriptions.
 */
export function startWebSocketServer(deps: WebSocketDeps): WebSocketTransport {
  const { log } = deps;
  const wss = new WebSocketServer({
    server: deps.httpServer,
    path: '/graphql',
    WebSocket: SharedFrameSocket,
    maxPayload: deps.maxPayloadBytes,
    // Not in @types/ws yet: how long ws waits for the peer's close frame before destroying the socket.
    closeTimeout: CLOSE_TIMEOUT_MS,
  } as ServerOptions);
  const initTimers = new Map<WebSocket, NodeJS.Timeout>();
  const tokens = new Map<WebSocket, string>();
  const viewers = new Map<WebSocket, Viewer>();
  /** What cancels closing each socket when its token expires. */
  const expiries = new Map<WebSocket, () => void>();
  const format = formatError(log);
  const formatOne = (error: GraphQLError) => format(error.toJSON(), error);

  // graphql-ws would close a socket that never sends connection_init with 4408; the
  // contract says 4401, so its own timer is off and this one closes instead.
  wss.on('connection', (socket, request) => {
    (socket as SharedFrameSocket).coalesceWritesOn(request.socket);
    const timer = setTimeout(() => {
      initTimers.delete(socket);
      socket.close(WS_CLOSE.unauthorized, `connection_init not received within ${deps.connectionInitTimeoutMs} ms`);
    }, deps.connectionInitTimeoutMs);
    initTimers.set(socket, timer);
    socket.once('close', () => {
      clearTimeout(initTimers.get(socket));
      initTimers.delete(socket);
      tokens.delete(socket);
      viewers.delete(socket);
      expiries.get(socket)?.();
      expiries.delete(socket);
    });
  });

  const streamsOf = new WeakMap<WebSocket, SubscriptionStreams>();
  const streamsFor = (socket: WebSocket) => {
    let streams = streamsOf.get(socket);
    if (!streams) {
      streams = deps.streams(() => {
        if (socket.readyState !== socket.OPEN) return;
        deps.onSlowSubscriber();
        socket.close(WS_CLOSE.tryAgainLater, `Subscriber fell over ${deps.bufferSize} events behind; resubscribe with after: the last cursor`);
      });
      streamsOf.set(socket, streams);
    }
    return streams;
  };

  const server = useServer(
    {
      schema: deps.schema,
      connectionInitWaitTimeout: Infinity,
      async onConnect(ctx) {
        const socket = ctx.extra.socket;
        clearTimeout(initTimers.get(socket));
        initTimers.delete(socket);
        const token = bearerToken(authorizationOf(ctx.connectionParams));
        if (!token) {
          socket.close(WS_CLOSE.forbidden, 'Missing token: send connectionParams { authorization: "Bearer <token>" }');
          return false;
        }
        // Known before it is checked: a revocation that commits during the check is then
        // caught by revalidateTokens() instead of slipping between the two.
        tokens.set(socket, token);
        const viewer = await deps.tokens.verify(token);
        if (!viewer) {
          tokens.delete(socket);
          socket.close(WS_CLOSE.forbidden, 'The token is not valid (or was regenerated)');
          return false;
        }
        viewers.set(socket, viewer);
        // An expiry closes the socket as a revocation would.
        if (viewer.expiresAt) expiries.set(socket, atInstant(viewer.expiresAt, () => socket.close(WS_CLOSE.forbidden, 'The token expired')));
        return true;
      },
      onSubscribe(ctx, _id, payload) {
        const limit = deps.maxSubscriptionsPerSocket;
        // ctx.subscriptions already holds this one, and the ones still starting.
        if (Object.keys(ctx.subscriptions).length > limit) {
          return [
            new GraphQLError(`This connection already has ${limit} operations, the most WS_MAX_SUBSCRIPTIONS_PER_SOCKET allows; complete one first`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit },
            }),
          ];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: MAX_QUERY_TOKENS });
        } catch (err) {
          return [withCode(err instanceof GraphQLError ? err : new GraphQLError(String(err)), 'GRAPHQL_PARSE_FAILED')];
        }
        const errors = validate(deps.schema, document, [...specifiedRules, depthLimit(deps.maxDepth)]);
        if (errors.length) return errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
        const operation = getOperationAST(document, payload.operationName);
        const refused = operation ? requestLimitErrors(deps.schema, document, operation, payload.variables, deps.maxCost) : [];
        if (refused.length) return refused;
        // Checked as the operation starts: a subscription the token may not use never streams.
        const forbidden = operation && scopeError(deps.schema, document, operation, viewers.get(ctx.extra.socket)?.scopes ?? []);
        if (forbidden) return [forbidden];
        return { schema: deps.schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      context(ctx) {
        return Object.assign(deps.makeContext(viewers.get(ctx.extra.socket)), { subscriptions: streamsFor(ctx.extra.socket) });
      },
      subscribe: sharedSubscribe(formatOne) as never,
      onNext(_ctx, _id, _payload, _args, result) {
        // Shared results go out as they are: serialised once, for every subscriber.
        if ((result as unknown) instanceof SharedResult) return result as never;
        return result.errors ? { ...(result as ExecutionResult), errors: result.errors.map(formatOne) } : undefined;
      },
      onError(_ctx, _id, _payload, errors) {
        return errors.map(formatOne);
      },
    },
    wss,
    deps.keepAliveMs,
  );

  let disposed: Promise<void> | undefined;
  return {
    get connections() {
      return wss.clients.size;
    },
    async revalidateTokens() {
      const byToken = new Map<string, WebSocket[]>();
      for (const [socket, token] of tokens) byToken.set(token, [...(byToken.get(token) ?? []), socket]);
      for (const [token, sockets] of byToken) {
        if (await deps.tokens.isValid(token)) continue;
        for (const socket of sockets) {
          tokens.delete(socket);
          socket.close(WS_CLOSE.forbidden, 'The token was revoked or regenerated');
        }
      }
    },
    dispose() {
      disposed ??= (async () => {
        for (const timer of initTimers.values()) clearTimeout(timer);
        initTimers.clear();
        for (const cancel of expiries.values()) cancel();
        expiries.clear();
        // Closes every client with 1001 and resolves once all of them are gone.
        await server.dispose();
      })();
      return disposed;
    },
  };
}
