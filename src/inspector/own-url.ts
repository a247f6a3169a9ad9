import { INSPECTOR_ID } from './store.js';

/** The URL of an inspector under the service's base URL (PUBLIC_URL, or the bound address). */
export function inspectorUrl(baseUrl: string, id: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/inspect/${id}`;
}

/**
 * Whether a URL is one of the service's own inspector URLs: the same scheme, host and port as
 * the base URL, and exactly its path + `/inspect/<id>`, with no query, fragment or credentials.
 * Such a URL is let through the webhook URL guard because the service serves it itself; a
 * private network in general stays refused.
 */
export function isOwnInspectorUrl(text: string, baseUrl: string): boolean {
  if (!baseUrl) return false;
  let url: URL;
  let base: URL;
  try {
    url = new URL(text.trim());
    base = new URL(baseUrl);
  } catch {
    return false;
  }
  if (url.protocol !== base.protocol || url.host !== base.host || url.username || url.password || url.search || url.hash) return false;
  const prefix = `${base.pathname.replace(/\/+$/, '')}/inspect/`;
  return url.pathname.startsWith(prefix) && INSPECTOR_ID.test(url.pathname.slice(prefix.length));
}
