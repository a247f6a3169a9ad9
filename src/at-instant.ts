/** The longest delay a Node timer holds; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `run` at the instant `at` (at once when it has passed), however far away: a delay
 * beyond what a timer holds is waited in steps. Returns what cancels it. The timer does not
 * keep the process alive.
 */
export function atInstant(at: Date, run: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const remaining = at.getTime() - Date.now();
    if (remaining <= 0) run();
    else timer = setTimeout(check, Math.min(remaining, MAX_TIMER_MS)).unref();
  };
  check();
  return () => clearTimeout(timer);
}
