import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ValidationError, describeValue } from '../errors.js';
import { isOwnInspectorUrl } from '../inspector/own-url.js';

export const MAX_URL_LENGTH = 2048;

/** Always refused, whatever WEBHOOK_ALLOW_PRIVATE_NETWORKS says: cloud instance-metadata endpoints. */
const METADATA = new BlockList();
METADATA.addAddress('169.254.169.254');
METADATA.addAddress('169.254.170.2');
METADATA.addAddress('100.100.100.200');
METADATA.addAddress('fd00:ec2::254', 'ipv6');
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'instance-data']);

/** Refused unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true: loopback, private, link-local, CGNAT and unspecified ranges. */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  // Local-use NAT64 (RFC 8215): how it embeds IPv4 is up to each network, so it cannot be judged by that.
  ['64:ff9b:1::', 48],
  ['fc00::', 7],
  ['fe80::', 10],
  // Site-local (deprecated, still routed inside some networks).
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

/** IPv6 ranges that carry an IPv4 address, and where it sits (index of its first 16-bit group). */
const CARRIERS = new BlockList();
const NAT64 = ['64:ff9b::', 96] as const; // RFC 6052 well-known prefix: the last 32 bits
const SIIT = ['::ffff:0:0:0', 96] as const; // RFC 2765 IPv4-translated: the last 32 bits
const SIX_TO_FOUR = ['2002::', 16] as const; // RFC 3056: bits 16 to 47
for (const [net, bits] of [NAT64, SIIT, SIX_TO_FOUR]) CARRIERS.addSubnet(net, bits, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (a zone, `%eth0`, is left out). */
function groups(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** The IPv4 address that a NAT64, SIIT or 6to4 address stands for, or undefined. */
function carriedIpv4(address: string): string | undefined {
  if (!CARRIERS.check(address, 'ipv6')) return undefined;
  const g = groups(address);
  const [hi, lo] = g[0] === 0x2002 ? [g[1]!, g[2]!] : [g[6]!, g[7]!];
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}

/** What kind of forbidden address this is ("a cloud metadata address, …"), or undefined when it may be reached. */
function forbiddenKind(address: string, allowPrivate: boolean): string | undefined {
  // BlockList judges an IPv4-mapped IPv6 address (::ffff:127.0.0.1, ::ffff:7f00:1) by the IPv4 address it carries.
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  // A translated address reaches the IPv4 address it carries, and is judged as that address too.
  const carried = family === 'ipv6' ? carriedIpv4(address) : undefined;
  const matches = (list: BlockList) => list.check(address, family) || (carried !== undefined && list.check(carried, 'ipv4'));
  if (matches(METADATA)) return 'a cloud metadata address, which is never allowed';
  if (!allowPrivate && matches(PRIVATE)) {
    return 'a loopback, private or link-local address (set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it)';
  }
  return undefined;
}

/** Why an IP address may not be reached, or undefined when it may. */
export function addressProblem(address: string, allowPrivate: boolean): string | undefined {
  const kind = forbiddenKind(address, allowPrivate);
  return kind && `${address} is ${kind}`;
}

/** Why a name that resolved to this address may not be reached, or undefined when it may. */
export function resolvedAddressProblem(host: string, address: string, allowPrivate: boolean): string | undefined {
  const kind = forbiddenKind(address, allowPrivate);
  return kind && `${host} resolves to ${address}, ${kind}`;
}

/** The host of a URL as an IP literal or a name: without IPv6 brackets, lowercase, without the root's trailing dot. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

/** How long saving a URL waits for DNS: a name that does not resolve in time is checked at send time only. */
const SAVE_LOOKUP_MS = 3_000;

async function resolveBriefly(host: string): Promise<{ address: string }[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<[]>((resolve) => {
    timer = setTimeout(() => resolve([]), SAVE_LOOKUP_MS);
  });
  try {
    return await Promise.race([lookup(host, { all: true, verbatim: true }).catch(() => []), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks a webhook URL when it is saved: http or https, no credentials, no fragment, and
 * not a forbidden address, by literal or by what the name resolves to now. The address is
 * checked again at every send (safe-dispatcher.ts), because DNS can change in between.
 * An inspector URL of the service itself (`ownBaseUrl` + `/inspect/<id>`) is accepted as it is.
 */
export async function validateWebhookUrl(field: string, text: string, allowPrivate: boolean, ownBaseUrl = ''): Promise<string> {
  if (isOwnInspectorUrl(text, ownBaseUrl)) return new URL(text.trim()).toString();
  const refuse = (why: string) => {
    throw new ValidationError(`${field} ${describeValue(text)} is refused: ${why}`, { field, value: text.slice(0, 200) });
  };
  if (text.length > MAX_URL_LENGTH) refuse(`it is ${text.length} characters long; the limit is ${MAX_URL_LENGTH}`);
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return refuse('it is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse(`the scheme ${url.protocol.replace(':', '')} is not http or https`);
  if (url.username || url.password) refuse('it carries credentials; use the bearer token instead');
  // url.hash is empty for a bare trailing '#', which the URL still keeps: the serialised form tells.
  if (url.href.includes('#')) refuse('it has a #fragment, which is never sent');
  const host = hostOf(url);
  if (METADATA_HOSTS.has(host)) refuse(`${host} is a cloud metadata host, which is never allowed`);
  if (isIP(host)) {
    const problem = addressProblem(host, allowPrivate);
    if (problem) refuse(problem);
  } else {
    if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost'))) {
      refuse(`${host} is a loopback name (set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it)`);
    }
    const addresses = await resolveBriefly(host);
    for (const { address } of addresses) {
      const problem = resolvedAddressProblem(host, address, allowPrivate);
      if (problem) refuse(problem);
    }
  }
  return url.toString();
}
