import { createHook } from 'node:async_hooks';
import { expect } from 'vitest';

const WATCHED_RESOURCES = new Set(['Timeout', 'TCPWRAP', 'TCPSERVERWRAP']);
/** How long pending closes (a socket's FIN, a server's last connection) get to finish. */
const SETTLE_MS = 5_000;

/** Made by the test runner, or by the test's fetch (Node's bundled undici). */
const NOT_OURS = /node_modules\/(vitest|@vitest)\/|node:internal\/deps\/undici/;

const NODE_FRAME = /\((node:|<anonymous>)|at node:/;

/** The frame that asked Node for the resource: the first one outside Node's own modules (undici aside). */
function creator(stack: string): string {
  return stack.split('\n').slice(2).find((line) => NOT_OURS.test(line) || !NODE_FRAME.test(line)) ?? '';
}

/**
 * Records every timer, socket and server created from now on and not destroyed since, so
 * that a test can fail on what was left running. The test runner's own timers and the
 * test's fetch (Node's bundled undici) are left out, and so are unref'd timers, which hold
 * nothing open (Apollo's stop() leaves the 10 s one of its drain plugin's
 * AbortSignal.timeout).
 */
export function trackResources() {
  const live = new Map<number, { type: string; stack: string; resource: { hasRef?: () => boolean } }>();
  const hook = createHook({
    init(asyncId, type, _triggerId, resource) {
      if (!WATCHED_RESOURCES.has(type)) return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 40;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      if (NOT_OURS.test(creator(stack))) return;
      live.set(asyncId, { type, stack, resource: resource as { hasRef?: () => boolean } });
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  }).enable();
  return {
    /** Fails listing each leftover with where it was created. Lets pending closes finish first. */
    async expectNoneLeft(): Promise<void> {
      const left = () => [...live.values()].filter((r) => r.type !== 'Timeout' || r.resource.hasRef?.() !== false);
      // Unref'd, so the wait is not itself a leftover.
      for (const deadline = Date.now() + SETTLE_MS; left().length && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 10).unref());
      }
      hook.disable();
      const frames = (stack: string) => {
        const lines = stack.split('\n').slice(2);
        const outsideNode = lines.filter((line) => !NODE_FRAME.test(line));
        // A handle made on a later turn (a server's listen) may have only Node's frames to show.
        return (outsideNode.length ? outsideNode : lines)
          .slice(0, 4)
          .map((line) => line.trim())
          .join(' < ');
      };
      expect(left().map((r) => `${r.type} from ${frames(r.stack)}`), 'left open').toEqual([]);
    },
  };
}
