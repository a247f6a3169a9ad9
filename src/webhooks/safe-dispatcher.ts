import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { resolvedAddressProblem } from './url-guard.js';

export class ForbiddenAddressError extends Error {
  override name = 'ForbiddenAddressError';
}

/**
 * An HTTP agent that checks every address it connects to, after DNS resolution: a name that
 * resolved to a public address when the URL was saved and to 127.0.0.1 now (DNS rebinding)
 * is refused at connect time. Redirects are never followed (sender.ts).
 */
export function createSafeDispatcher(opts: { allowPrivate: boolean; connections: number; timeoutMs: number }): Agent {
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as LookupAddress[];
      for (const { address } of list) {
        const problem = resolvedAddressProblem(hostname, address, opts.allowPrivate);
        if (problem) return callback(new ForbiddenAddressError(`${problem}; refused when connecting`), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
  return new Agent({
    connections: opts.connections,
    connectTimeout: Math.min(opts.timeoutMs, 10_000),
    keepAliveTimeout: 10_000,
    // Node skips the lookup for IP literals; the sender checks those itself before sending.
    connect: { lookup },
  });
}
