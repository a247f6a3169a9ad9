import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from './gql/graphql';
import { forgetToken, storedToken } from './session';

/** A GraphQL error as the API reports it: the message, `extensions.code` and the offending field when there is one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Called when the API refuses the token: the console forgets it and shows the sign-in page. */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export function signOut(): void {
  forgetToken();
  closeLive();
  for (const l of signedOutListeners) l();
}

type GraphQLResult<R> = { data?: R | null; errors?: { message: string; extensions?: { code?: string; field?: string } }[] };

/** One query or mutation over POST /graphql with the session's token, as any API client sends it. */
export function request<R, V>(document: TypedDocumentString<R, V>, variables?: V, token = storedToken()): Promise<R> {
  return requestText<R>(document.toString(), variables, token);
}

/** As request(), for a query text the console does not know ahead (the schema's introspection). */
export async function requestText<R>(query: string, variables?: unknown, token = storedToken()): Promise<R> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? ''}` },
    body: JSON.stringify({ query, variables }),
  });
  let body: GraphQLResult<R>;
  try {
    body = (await res.json()) as GraphQLResult<R>;
  } catch {
    throw new ApiError(`The service answered HTTP ${res.status} without JSON`, 'BAD_RESPONSE');
  }
  const error = body.errors?.[0];
  if (error) {
    const code = error.extensions?.code ?? 'ERROR';
    // The session's token was regenerated or revoked: back to the sign-in page.
    if (code === 'UNAUTHENTICATED' && token !== null && token === storedToken()) signOut();
    throw new ApiError(error.message, code, error.extensions?.field);
  }
  if (!body.data) throw new ApiError(`The service answered HTTP ${res.status} with no data`, 'BAD_RESPONSE');
  return body.data;
}

let live: Client | undefined;

/** The session's WebSocket: graphql-ws with the token in connectionParams, reconnecting after a drop. */
export function liveClient(): Client {
  if (!live) {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    live = createClient({
      url,
      connectionParams: () => ({ authorization: `Bearer ${storedToken() ?? ''}` }),
      retryAttempts: Infinity,
      shouldRetry: () => storedToken() !== null,
      on: {
        closed: (event) => {
          if ((event as CloseEvent).code === 4403) signOut();
        },
      },
    });
  }
  return live;
}

function closeLive(): void {
  void live?.dispose();
  live = undefined;
}

export type Sink<T> = { next(value: T): void; error(message: string): void };

/**
 * Subscribes to one operation. graphql-ws sends the same `variables` object again when it
 * reconnects, so a caller that writes its last cursor into it resumes after that cursor.
 */
export function subscribe<R, V extends Record<string, unknown>>(document: TypedDocumentString<R, V>, variables: V, sink: Sink<R>): () => void {
  return liveClient().subscribe<R>(
    { query: document.toString(), variables },
    {
      next: (result) => {
        if (result.errors?.length) sink.error(result.errors.map((e) => e.message).join('; '));
        else if (result.data) sink.next(result.data);
      },
      error: (err) => sink.error(err instanceof Error ? err.message : Array.isArray(err) ? err.map((e) => String(e.message)).join('; ') : 'The connection failed'),
      complete: () => undefined,
    },
  );
}
