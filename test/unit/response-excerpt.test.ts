import { expect, it } from 'vitest';
import { RESPONSE_EXCERPT_BYTES, readExcerpt } from '../../src/webhooks/response-excerpt.js';

/** A body that gives one byte per pull and never ends, as a receiver that trickles. */
function trickling(): Response {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull: (controller) =>
      new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        if (!cancelled) controller.enqueue(new Uint8Array([46]));
      }),
    cancel: () => {
      cancelled = true;
    },
  });
  return new Response(body, { status: 200 });
}

it('throws the reason of an abort that comes while the answer is still arriving, however little has come', async () => {
  const limit = new AbortController();
  const reading = readExcerpt(trickling(), limit.signal);
  await new Promise((resolve) => setImmediate(resolve));
  limit.abort(new DOMException('no complete answer in time', 'TimeoutError'));
  await expect(reading).rejects.toMatchObject({ name: 'TimeoutError' });
});

it('reads at most RESPONSE_EXCERPT_BYTES of an answer that has come whole, and cuts no character in two', async () => {
  const text = `${'a'.repeat(RESPONSE_EXCERPT_BYTES - 1)}é and more`;
  const excerpt = await readExcerpt(new Response(text), new AbortController().signal);
  expect(excerpt).toBe('a'.repeat(RESPONSE_EXCERPT_BYTES - 1));
});
