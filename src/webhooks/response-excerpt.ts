/** How much of a receiver's answer is read and kept with an attempt, in bytes of UTF-8. */
export const RESPONSE_EXCERPT_BYTES = 1024;

const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as PostgreSQL stores it in any column, `text` or inside `jsonb`: NUL, which neither
 * accepts, and lone surrogates, which `jsonb` refuses, become U+FFFD; at most `maxBytes` of
 * UTF-8, cut at a character boundary. A receiver's answer can contain anything.
 */
export function storableText(text: string, maxBytes: number): string {
  const clean = text.replace(NUL, '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
  const bytes = Buffer.from(clean, 'utf8');
  if (bytes.length <= maxBytes) return clean;
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * The first RESPONSE_EXCERPT_BYTES of an answer, as storable text (invalid UTF-8 becomes
 * U+FFFD). The rest is never read: the stream is cancelled, so a 3 MB or endless body costs
 * one chunk of memory and no more time. An answer still arriving when `signal` aborts (the
 * attempt's time limit) throws its reason: a trickle is not a complete answer.
 */
export async function readExcerpt(response: Response, signal: AbortSignal): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  // An answer still arriving when the time is up: the read under way ends at once.
  const stop = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    signal.throwIfAborted();
  } finally {
    signal.removeEventListener('abort', stop);
    await reader.cancel().catch(() => undefined);
  }
  // stream: a character cut by the byte limit is dropped, not shown as U+FFFD.
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES), { stream: true });
  return text === '' ? null : storableText(text, RESPONSE_EXCERPT_BYTES);
}
