import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { request } from '../api';
import { graphql } from '../gql';
import type { DeliveryStatus, EventType, WebhookChannel } from '../gql/graphql';
import { usePagedList } from '../paged-list';
import { Alert, Code, More, Notice, message, pretty, when } from '../ui';
import { useCan } from '../viewer';

const ListDeliveries = graphql(`
  query ConsoleDeliveries($filter: WebhookDeliveryFilter, $after: String) {
    webhookDeliveries(filter: $filter, first: 50, after: $after) {
      edges {
        node {
          id
          channel
          status
          attemptCount
          nextAttemptAt
          createdAt
          event {
            id
            cursor
            type
            occurredAt
            payload
          }
          attempts {
            ok
            httpStatus
            durationMs
            startedAt
            responseExcerpt
            error
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const Redeliver = graphql(`
  mutation Redeliver($id: ID!) {
    redeliverWebhook(deliveryId: $id) {
      id
      status
      nextAttemptAt
    }
  }
`);

const Replay = graphql(`
  mutation Replay($input: ReplayInput!) {
    replayWebhooks(input: $input) {
      count
      queued
    }
  }
`);

const CHANNELS: WebhookChannel[] = ['DOCUMENT', 'CONTACT', 'FOLDER', 'OPERATIONS'];
const STATUSES: DeliveryStatus[] = ['PENDING', 'SUCCEEDED', 'FAILED'];
const EVENT_TYPES: EventType[] = [
  'DOCUMENT_EXPORTED',
  'CONTACT_CREATED',
  'CONTACT_UPDATED',
  'FOLDER_CREATED',
  'FOLDER_UPDATED',
  'CHANNEL_FAILING',
  'CHANNEL_RECOVERED',
  'CHANNEL_DISABLED',
  'DELIVERY_FAILED',
];

type Delivery = {
  id: string;
  channel: WebhookChannel;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt?: string | null;
  createdAt: string;
  event: { id: string; cursor: string; type: EventType; occurredAt: string; payload: unknown };
  attempts: { ok: boolean; httpStatus?: number | null; durationMs: number; startedAt: string; responseExcerpt?: string | null; error?: string | null }[];
};

/** The event's record id, as the payload names it. */
function entityOf(payload: unknown): string {
  const p = payload as { id?: unknown } | null;
  return p && p.id != null ? String(p.id) : '—';
}

function Details({ d, onRedelivered }: { d: Delivery; onRedelivered(): void }) {
  const can = useCan();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const redeliver = async () => {
    try {
      await request(Redeliver, { id: d.id });
      setDone('Queued again.');
      onRedelivered();
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <div class="details" id={`delivery-${d.id}`}>
      <h3>Attempts</h3>
      {d.attempts.length === 0 ? (
        <p>None yet{d.nextAttemptAt ? `; the first is due ${when(d.nextAttemptAt)}` : ''}.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Status</th>
                <th scope="col">Duration</th>
                <th scope="col">Answer</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {d.attempts.map((a, i) => (
                <tr key={i}>
                  <td>{when(a.startedAt)}</td>
                  <td class={a.ok ? 'ok' : 'bad'}>{a.httpStatus ?? '—'}</td>
                  <td>{a.durationMs} ms</td>
                  <td>
                    <code>{a.responseExcerpt?.slice(0, 200) ?? ''}</code>
                  </td>
                  <td>{a.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Body</h3>
      <p class="hint">
        webhook-id <code>{d.event.id}</code>, cursor <code>{d.event.cursor}</code>
      </p>
      <Code label="Webhook body">{pretty(d.event.payload)}</Code>
      {can('WEBHOOKS') && (
        <button type="button" onClick={redeliver}>
          Redeliver
        </button>
      )}
      <Notice>{done}</Notice>
      <Alert>{error}</Alert>
    </div>
  );
}

function ReplayForm() {
  const [channel, setChannel] = useState<WebhookChannel>('DOCUMENT');
  const [since, setSince] = useState('');
  const [cursor, setCursor] = useState('');
  const [count, setCount] = useState<number | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = (dryRun: boolean) => ({
    channel,
    dryRun,
    ...(cursor.trim() ? { afterCursor: cursor.trim() } : { since: since ? new Date(since).toISOString() : null }),
  });
  const dryRun = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    setCount(null);
    try {
      setCount((await request(Replay, { input: input(true) })).replayWebhooks.count);
    } catch (err) {
      setError(message(err));
    }
  };
  const queue = async () => {
    try {
      const r = (await request(Replay, { input: input(false) })).replayWebhooks;
      setDone(`${r.count} deliveries queued.`);
      setCount(null);
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <form class="card" onSubmit={dryRun} aria-labelledby="replay-title">
      <h2 id="replay-title">Replay</h2>
      <p>Queues a channel's events again, from an instant or after an event cursor. The count comes first; nothing is queued until you confirm.</p>
      <div class="filters">
        <div class="field">
          <label for="replay-channel">Channel</label>
          <select id="replay-channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value as WebhookChannel)}>
            {CHANNELS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="replay-since">Since</label>
          <input id="replay-since" type="datetime-local" step={1} value={since} onInput={(e) => setSince(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="replay-cursor">or after cursor</label>
          <input id="replay-cursor" value={cursor} onInput={(e) => setCursor(e.currentTarget.value)} />
        </div>
        <button type="submit" class="secondary">
          Count
        </button>
      </div>
      {count !== null && (
        <p role="status">
          {count} events would be delivered again.{' '}
          {count > 0 && (
            <button type="button" onClick={queue}>
              Queue {count}
            </button>
          )}
        </p>
      )}
      <Notice>{done}</Notice>
      <Alert>{error}</Alert>
    </form>
  );
}

export function DeliveriesPage() {
  const can = useCan();
  const [channel, setChannel] = useState<WebhookChannel | ''>('');
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [eventType, setEventType] = useState<EventType | ''>('');
  const [entityId, setEntityId] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const { rows, next, error, load } = usePagedList<Delivery>(async (after) => {
    const filter = {
      ...(channel && { channel }),
      ...(status && { status }),
      ...(eventType && { eventType }),
      ...(entityId.trim() && { entityId: entityId.trim() }),
      // datetime-local is the browser's local time; the API takes instants.
      ...(since && { createdSince: new Date(since).toISOString() }),
      ...(until && { createdBefore: new Date(until).toISOString() }),
    };
    return (await request(ListDeliveries, { filter, after })).webhookDeliveries;
  });
  useEffect(() => void load(), [channel, status, eventType, since, until]);

  return (
    <section>
      <h1>Delivery log</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <div class="field">
          <label for="f-channel">Channel</label>
          <select id="f-channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value as WebhookChannel | '')}>
            <option value="">All</option>
            {CHANNELS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-status">Status</label>
          <select id="f-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as DeliveryStatus | '')}>
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-type">Event</label>
          <select id="f-type" value={eventType} onChange={(e) => setEventType(e.currentTarget.value as EventType | '')}>
            <option value="">All</option>
            {EVENT_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-entity">Entity id</label>
          <input id="f-entity" inputMode="numeric" value={entityId} onInput={(e) => setEntityId(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="f-since">Queued since</label>
          <input id="f-since" type="datetime-local" step={1} value={since} onChange={(e) => setSince(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="f-until">Queued before</label>
          <input id="f-until" type="datetime-local" step={1} value={until} onChange={(e) => setUntil(e.currentTarget.value)} />
        </div>
        <button type="submit" class="secondary">
          Refresh
        </button>
      </form>
      <Alert>{error}</Alert>
      {rows && rows.length === 0 && <p>No deliveries.</p>}
      {rows && rows.length > 0 && (
        <div class="table-wrap">
          <table class="deliveries">
            <caption class="sr-only">Webhook deliveries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Delivery</th>
                <th scope="col">Channel</th>
                <th scope="col">Event</th>
                <th scope="col">Entity</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <Fragment key={d.id}>
                  <tr>
                    <td>
                      <button
                        type="button"
                        class="link"
                        aria-expanded={open === d.id}
                        aria-controls={`delivery-${d.id}`}
                        onClick={() => setOpen(open === d.id ? null : d.id)}
                      >
                        #{d.id}
                      </button>
                    </td>
                    <td>{d.channel}</td>
                    <td>{d.event.type}</td>
                    <td>{entityOf(d.event.payload)}</td>
                    <td>
                      <span class={`status d-${d.status.toLowerCase()}`}>{d.status}</span>
                    </td>
                    <td>{d.attemptCount}</td>
                    <td>{when(d.createdAt)}</td>
                  </tr>
                  {open === d.id && (
                    <tr>
                      <td colSpan={7}>
                        <Details d={d} onRedelivered={() => void load()} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <More after={next} onMore={load} />
      {can('WEBHOOKS') && <ReplayForm />}
    </section>
  );
}
