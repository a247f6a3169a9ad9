/**
 * A time limit for one piece of work: `signal` aborts after `ms` with a DOMException named
 * TimeoutError, as AbortSignal.timeout's does, and `clear()` disarms it once the work is done.
 *
 * Why not AbortSignal.timeout: its timer stays armed for the whole delay, and a signal still
 * referenced when it fires is aborted then, long after the work ended. ky and undici keep
 * listeners on a request's signal after its answer, so every webhook attempt built a
 * DOMException and dispatched an abort event WEBHOOK_TIMEOUT (15 s by default) later.
 */
export type TimeLimit = { readonly signal: AbortSignal; clear(): void };

export function timeLimit(ms: number): TimeLimit {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`The operation timed out after ${ms} ms`, 'TimeoutError')), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
