import { useEffect, useRef, useState } from 'preact/hooks';
import { request, subscribe } from '../api';
import type { SeriesSpec, TimeSeries } from '../charts/time-series';
import { graphql } from '../gql';
import type { WebhookOverviewQuery } from '../gql/graphql';
import { Alert, message, when } from '../ui';

const Overview = graphql(`
  query WebhookOverview($windowMinutes: Int) {
    webhookOverview(windowMinutes: $windowMinutes) {
      from
      to
      targets {
        channel
        endpoint {
          id
          description
        }
        url
        enabled
        failingSince
        consecutiveFailures
        succeeded
        failed
        successRate
        latencyP50Ms
        latencyP99Ms
        pending
        oldestPendingAt
      }
      minutes {
        at
        succeeded
        failed
        latencyP50Ms
        latencyP99Ms
      }
    }
  }
`);

const Attempts = graphql(`
  subscription OverviewAttempts {
    webhookDeliveryUpdated {
      attempt {
        ok
      }
    }
  }
`);

type OverviewData = WebhookOverviewQuery['webhookOverview'];
type Target = OverviewData['targets'][number];

/** At most one new read of the overview per this many milliseconds while attempts stream in. */
const REFRESH_MS = 2_000;

const CHANNEL_NAMES: Record<string, string> = { DOCUMENT: 'Document', CONTACT: 'Contact', FOLDER: 'Folder', OPERATIONS: 'Operations' };

function targetName(t: Target): string {
  if (t.endpoint) return `Endpoint ${t.endpoint.id}${t.endpoint.description ? ` · ${t.endpoint.description}` : ''}`;
  return `${CHANNEL_NAMES[t.channel ?? ''] ?? t.channel} channel`;
}

function percent(rate: number | null | undefined): string {
  return rate == null ? '—' : `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)} %`;
}

function ms(value: number | null | undefined): string {
  return value == null ? '—' : `${value} ms`;
}

function age(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

function State({ t }: { t: Target }) {
  if (!t.url) return <span class="muted">no URL</span>;
  if (!t.enabled) return <span class="state off">off</span>;
  if (t.failingSince) return <span class="state warn">failing since {when(t.failingSince)}</span>;
  return <span class="state on">on</span>;
}

/** A chart drawn by the charts chunk, loaded when the page first has data to draw. */
function Chart({ title, series, unit, x, ys, summary }: { title: string; series: SeriesSpec[]; unit: string; x: number[]; ys: (number | null)[][]; summary: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<TimeSeries | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let gone = false;
    import('../charts/time-series')
      .then(({ timeSeries }) => {
        if (gone || !box.current) return;
        chart.current = timeSeries(box.current, series, unit);
        chart.current.set(x, ys);
      })
      .catch((err: unknown) => setFailed(message(err)));
    return () => {
      gone = true;
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);
  useEffect(() => chart.current?.set(x, ys), [x, ys]);
  return (
    <figure class="card chart">
      <figcaption>
        <h2>{title}</h2>
      </figcaption>
      <div ref={box} role="img" aria-label={`${title}: ${summary}`} />
      <Alert>{failed}</Alert>
    </figure>
  );
}

export function OverviewPage() {
  const [data, setData] = useState<OverviewData | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stale = false;
    let reading = false;
    const read = async () => {
      reading = true;
      stale = false;
      try {
        setData((await request(Overview, { windowMinutes: 60 })).webhookOverview);
        setError(null);
      } catch (err) {
        setError(message(err));
      } finally {
        reading = false;
      }
    };
    // Every attempt changes the figures: read again, at most once per REFRESH_MS.
    const schedule = () => {
      stale = true;
      if (timer || reading) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (stale) void read();
      }, REFRESH_MS);
    };
    void read();
    const stop = subscribe(Attempts, {}, { next: schedule, error: setError });
    // The window moves on even when nothing is sent.
    const minute = setInterval(schedule, 60_000);
    return () => {
      stop();
      clearInterval(minute);
      if (timer) clearTimeout(timer);
    };
  }, []);

  const now = data ? new Date(data.to).getTime() : Date.now();
  const x = data?.minutes.map((m) => new Date(m.at).getTime() / 1000) ?? [];
  const total = data?.minutes.reduce((s, m) => s + m.succeeded + m.failed, 0) ?? 0;
  const failedTotal = data?.minutes.reduce((s, m) => s + m.failed, 0) ?? 0;

  return (
    <section>
      <h1>Overview</h1>
      <p class="hint">The last hour of webhook attempts, per channel and endpoint; kept current as attempts happen.</p>
      <Alert>{error}</Alert>
      {!data ? (
        <p class="muted">Loading…</p>
      ) : (
        <>
          <div class="table-wrap">
            <table aria-label="Channels and endpoints" class="cards-narrow">
              <thead>
                <tr>
                  <th scope="col">Channel or endpoint</th>
                  <th scope="col">State</th>
                  <th scope="col">Success (1 h)</th>
                  <th scope="col">p50</th>
                  <th scope="col">p99</th>
                  <th scope="col">Backlog</th>
                </tr>
              </thead>
              <tbody>
                {data.targets.map((t) => (
                  <tr key={t.endpoint?.id ?? t.channel}>
                    <th scope="row">
                      {t.endpoint ? <a href={`#/endpoints/${t.endpoint.id}`}>{targetName(t)}</a> : targetName(t)}
                      <div class="muted url">{t.url ?? ''}</div>
                    </th>
                    <td data-label="State">
                      <State t={t} />
                    </td>
                    <td data-label="Success (1 h)">
                      {percent(t.successRate)}
                      <div class="muted">{t.succeeded + t.failed} attempts</div>
                    </td>
                    <td data-label="p50">{ms(t.latencyP50Ms)}</td>
                    <td data-label="p99">{ms(t.latencyP99Ms)}</td>
                    <td data-label="Backlog">{t.pending === 0 ? '0' : `${t.pending} waiting, oldest ${age(t.oldestPendingAt, now)}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="charts">
            <Chart
              title="Attempts per minute"
              unit="attempts"
              summary={`${total} attempts in the last hour, ${failedTotal} failed`}
              series={[
                { label: 'Succeeded', stroke: '#1a7f37', fill: 'rgba(26,127,55,.12)' },
                { label: 'Failed', stroke: '#c62828', fill: 'rgba(198,40,40,.12)' },
              ]}
              x={x}
              ys={[data.minutes.map((m) => m.succeeded), data.minutes.map((m) => m.failed)]}
            />
            <Chart
              title="Attempt latency"
              unit="ms"
              summary={`per minute, median and 99th percentile in milliseconds`}
              series={[
                { label: 'p50', stroke: '#1f5fbf', points: true },
                { label: 'p99', stroke: '#b26a00', points: true },
              ]}
              x={x}
              ys={[data.minutes.map((m) => m.latencyP50Ms ?? null), data.minutes.map((m) => m.latencyP99Ms ?? null)]}
            />
          </div>
        </>
      )}
    </section>
  );
}
