import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line written while serving one request carries, and what its errors name. */
export type RequestScope = { requestId: string };

const scopes = new AsyncLocalStorage<RequestScope>();

/** An id a client or a proxy in front may choose: short, and safe to print in a log line. */
const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The request's own id: the X-Request-Id it came with when that is printable, else a new one. */
export function requestIdFor(header: string | string[] | undefined): string {
  return typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
}

export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

export function currentRequestScope(): RequestScope | undefined {
  return scopes.getStore();
}
