import { useEffect, useRef, useState } from 'preact/hooks';
import { subscribe } from '../api';
import { graphql } from '../gql';
import { Alert, Code, pretty, when } from '../ui';

const Events = graphql(`
  subscription LiveEvents($after: String) {
    events(after: $after) {
      id
      cursor
      type
      occurredAt
      payload
    }
  }
`);

const Attempts = graphql(`
  subscription LiveAttempts {
    webhookDeliveryUpdated {
      delivery {
        id
        channel
        status
        event {
          id
          type
        }
      }
      attempt {
        ok
        httpStatus
        durationMs
        startedAt
        error
      }
    }
  }
`);

/** Lines kept on screen; older ones drop off the bottom. */
const KEEP = 200;

type Line =
  | { kind: 'event'; key: string; at: string; type: string; id: string; payload: unknown }
  | { kind: 'attempt'; key: string; at: string; type: string; deliveryId: string; channel: string; ok: boolean; httpStatus?: number | null; durationMs: number; error?: string | null };

export function LiveTailPage() {
  const [lines, setLines] = useState<Line[]>([]);
  const [paused, setPaused] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The last event seen: a resubscription (after a pause or a dropped connection) starts after it.
  const variables = useRef<{ after: string | null }>({ after: null });

  useEffect(() => {
    if (paused) return;
    setError(null);
    const add = (line: Line) => setLines((old) => [line, ...old].slice(0, KEEP));
    const stopEvents = subscribe(Events, variables.current, {
      next: ({ events: e }) => {
        variables.current.after = e.cursor;
        add({ kind: 'event', key: `e${e.id}`, at: e.occurredAt, type: e.type, id: e.id, payload: e.payload });
      },
      error: setError,
    });
    const stopAttempts = subscribe(
      Attempts,
      {},
      {
        next: ({ webhookDeliveryUpdated: { delivery, attempt } }) =>
          add({
            kind: 'attempt',
            key: `a${delivery.id}-${attempt.startedAt}`,
            at: attempt.startedAt,
            type: delivery.event.type,
            deliveryId: delivery.id,
            channel: delivery.channel,
            ok: attempt.ok,
            httpStatus: attempt.httpStatus,
            durationMs: attempt.durationMs,
            error: attempt.error,
          }),
        error: setError,
      },
    );
    return () => {
      stopEvents();
      stopAttempts();
    };
  }, [paused]);

  return (
    <section>
      <h1>Live tail</h1>
      <div class="row">
        <button type="button" onClick={() => setPaused(!paused)} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <span role="status" class={paused ? 'state off' : 'state on'}>
          {paused ? 'Paused: resuming gives every event since, from the last one shown' : 'Live'}
        </span>
        <button type="button" class="secondary" onClick={() => setLines([])}>
          Clear
        </button>
      </div>
      <Alert>{error}</Alert>
      <ol class="tail" aria-label="Events and delivery attempts, newest first" aria-live="polite">
        {lines.map((l) =>
          l.kind === 'event' ? (
            <li key={l.key} class="event">
              <details>
                <summary>
                  <time>{when(l.at)}</time> <strong>event</strong> {l.type} <code>{l.id}</code>
                </summary>
                <Code label={`Payload of ${l.id}`}>{pretty(l.payload)}</Code>
              </details>
            </li>
          ) : (
            <li key={l.key} class={`attempt ${l.ok ? 'ok' : 'bad'}`}>
              <time>{when(l.at)}</time> <strong>attempt</strong> {l.type} → {l.channel} delivery #{l.deliveryId}:{' '}
              {l.httpStatus ? `HTTP ${l.httpStatus}` : 'no answer'} in {l.durationMs} ms{l.error ? ` (${l.error})` : ''}
            </li>
          ),
        )}
      </ol>
      {lines.length === 0 && <p class="muted">Waiting for events…</p>}
    </section>
  );
}
