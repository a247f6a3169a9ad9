import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { graphql } from '../gql';
import type { ConsoleSettingsQuery, TestChannelMutation, WebhookChannel } from '../gql/graphql';
import { Alert, Code, Notice, message, pretty, when } from '../ui';

const ReadSettings = graphql(`
  query ConsoleSettings {
    webhookSettings {
      document { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }
      contact { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }
      folder { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }
      operations { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }
      bearerTokenSet
      offlineMode
      previousSecretExpiresAt
    }
  }
`);

const SaveSettings = graphql(`
  mutation SaveWebhookSettings($input: WebhookSettingsInput!) {
    configureWebhooks(input: $input) {
      document { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }
      contact { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }
      folder { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }
      operations { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }
      bearerTokenSet
      offlineMode
      previousSecretExpiresAt
    }
  }
`);

const RevealSecret = graphql(`
  query RevealSigningSecret {
    webhookSettings {
      signingSecret
      previousSecretExpiresAt
    }
  }
`);

const RotateSecret = graphql(`
  mutation RotateSigningSecret {
    rotateWebhookSigningSecret {
      signingSecret
      previousSecretExpiresAt
    }
  }
`);

const TestChannel = graphql(`
  mutation TestChannel($channel: WebhookChannel!) {
    testWebhook(channel: $channel) {
      ok
      httpStatus
      durationMs
      responseExcerpt
      error
      request {
        url
        headers {
          name
          value
        }
        body
      }
    }
  }
`);

type Settings = ConsoleSettingsQuery['webhookSettings'];
type Channel = Settings['document'];
type Key = 'document' | 'contact' | 'folder' | 'operations';
const CHANNELS: { key: Key; channel: WebhookChannel; label: string }[] = [
  { key: 'document', channel: 'DOCUMENT', label: 'Document' },
  { key: 'contact', channel: 'CONTACT', label: 'Contact' },
  { key: 'folder', channel: 'FOLDER', label: 'Folder' },
  // Operational events: a channel failing, recovered or switched off, a delivery given up.
  { key: 'operations', channel: 'OPERATIONS', label: 'Operations' },
];

type Form = { urls: Record<Key, string>; enabled: Record<Key, boolean>; bearerToken: string; clearBearer: boolean; offlineMode: boolean };

function formOf(s: Settings): Form {
  return {
    urls: { document: s.document.url ?? '', contact: s.contact.url ?? '', folder: s.folder.url ?? '', operations: s.operations.url ?? '' },
    enabled: { document: s.document.enabled, contact: s.contact.enabled, folder: s.folder.enabled, operations: s.operations.enabled },
    bearerToken: '',
    clearBearer: false,
    offlineMode: s.offlineMode,
  };
}

function ChannelState({ c }: { c: Channel }) {
  if (!c.enabled) {
    return <span class="state off">Disabled{c.disabledAt ? ` since ${when(c.disabledAt)}` : ''}{c.disabledReason ? `: ${c.disabledReason}` : ''}</span>;
  }
  if (c.failingSince) return <span class="state warn">Enabled, failing since {when(c.failingSince)} ({c.consecutiveFailures} failed attempts in a row)</span>;
  return <span class="state on">{c.url ? 'Enabled' : 'Enabled, no URL'}</span>;
}

type TestResult = TestChannelMutation['testWebhook'];

function TestButton({ channel, label }: { channel: WebhookChannel; label: string }) {
  const [result, setResult] = useState<TestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult((await request(TestChannel, { channel })).testWebhook);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="test">
      <button type="button" class="secondary" onClick={run} disabled={busy}>
        Send a test {label} webhook
      </button>
      <Alert>{error}</Alert>
      {result && (
        <div class={`test-result ${result.ok ? 'ok' : 'bad'}`} role="status">
          {result.ok ? 'Delivered' : 'Not delivered'}: {result.httpStatus ? `HTTP ${result.httpStatus}` : 'no answer'} in {result.durationMs} ms
          {result.error && <span>. {result.error}</span>}
          {result.request && (
            <details>
              <summary>Request: POST {result.request.url}</summary>
              <dl class="headers" aria-label={`Headers of the test ${label} webhook`}>
                {result.request.headers.map((h) => (
                  <div key={h.name}>
                    <dt>{h.name}</dt>
                    <dd>{h.value}</dd>
                  </div>
                ))}
              </dl>
              <Code label={`Body of the test ${label} webhook`}>{pretty(result.request.body)}</Code>
            </details>
          )}
          <p>Answer:</p>
          <Code label={`The receiver's answer to the test ${label} webhook`}>{result.responseExcerpt ?? '(empty)'}</Code>
        </div>
      )}
    </div>
  );
}

function SigningSecret({ overlapUntil }: { overlapUntil: string | null | undefined }) {
  const [secret, setSecret] = useState<string | null>(null);
  const [until, setUntil] = useState(overlapUntil ?? null);
  const [error, setError] = useState<string | null>(null);
  const [rotated, setRotated] = useState(false);
  useEffect(() => setUntil(overlapUntil ?? null), [overlapUntil]);
  const reveal = async () => {
    try {
      const s = (await request(RevealSecret)).webhookSettings;
      setSecret(s.signingSecret);
      setUntil(s.previousSecretExpiresAt ?? null);
    } catch (err) {
      setError(message(err));
    }
  };
  const rotate = async () => {
    if (!confirm('Rotate the signing secret? Webhooks carry a signature with the old secret too, for the overlap shown.')) return;
    try {
      const s = (await request(RotateSecret)).rotateWebhookSigningSecret;
      setSecret(s.signingSecret);
      setUntil(s.previousSecretExpiresAt ?? null);
      setRotated(true);
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <section class="card" aria-labelledby="secret-title">
      <h2 id="secret-title">Signing secret</h2>
      <p>Receivers check the webhook-signature header with it (Standard Webhooks).</p>
      <p>
        {secret ? (
          <code class="secret" aria-label="Current signing secret">
            {secret}
          </code>
        ) : (
          <span class="muted">Hidden</span>
        )}
      </p>
      <div class="row">
        <button type="button" class="secondary" onClick={secret ? () => setSecret(null) : reveal}>
          {secret ? 'Hide' : 'Reveal'}
        </button>
        <button type="button" class="secondary" onClick={rotate}>
          Rotate
        </button>
      </div>
      <Notice>{rotated ? 'A new secret was made.' : null}</Notice>
      {until && <p role="status">Webhooks also carry a signature made with the previous secret until {when(until)}.</p>}
      <Alert>{error}</Alert>
    </section>
  );
}

export function SettingsPage() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      const s = (await request(ReadSettings)).webhookSettings;
      setSettings(s);
      setForm(formOf(s));
    } catch (err) {
      setError(message(err));
    }
  };
  useEffect(() => void load(), []);

  if (!form || !settings) return <section aria-busy="true">{error ? <Alert>{error}</Alert> : <p>Loading…</p>}</section>;

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFieldErrors({});
    setError(null);
    setSaved(null);
    try {
      const input: Record<string, unknown> = { offlineMode: form.offlineMode };
      for (const { key } of CHANNELS) input[key] = { url: form.urls[key].trim() || null, enabled: form.enabled[key] };
      if (form.clearBearer) input.bearerToken = null;
      else if (form.bearerToken) input.bearerToken = form.bearerToken;
      const s = (await request(SaveSettings, { input })).configureWebhooks;
      setSettings(s);
      setForm(formOf(s));
      setSaved('Saved.');
    } catch (err) {
      if (err instanceof ApiError && err.field) setFieldErrors({ [err.field]: err.message });
      else setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });

  return (
    <section>
      <h1>Settings → Webhooks</h1>
      <form class="card" onSubmit={save} aria-labelledby="webhooks-title" noValidate>
        <h2 id="webhooks-title">Webhook URLs</h2>
        <p>Each change of a document, contact or folder is POSTed to its URL. Only HTTP 200 counts as delivered. The Operations URL is told when webhooks fail: a channel failing, recovered or switched off, a delivery given up.</p>
        {CHANNELS.map(({ key, label }) => {
          const err = fieldErrors[`${key}.url`];
          return (
            <fieldset class="channel" key={key}>
              <legend>{label} webhooks</legend>
              <label for={`${key}-url`}>{label} URL</label>
              <input
                id={`${key}-url`}
                type="url"
                inputMode="url"
                placeholder="https://receiver.example.com/webhooks"
                value={form.urls[key]}
                onInput={(e) => set({ urls: { ...form.urls, [key]: e.currentTarget.value } })}
                aria-invalid={err ? true : undefined}
                aria-describedby={err ? `${key}-url-error` : `${key}-state`}
              />
              {err && (
                <p id={`${key}-url-error`} class="field-error" role="alert">
                  {err}
                </p>
              )}
              <div class="row">
                <label class="check">
                  <input type="checkbox" checked={form.enabled[key]} onChange={(e) => set({ enabled: { ...form.enabled, [key]: e.currentTarget.checked } })} />
                  Enabled
                </label>
                <span id={`${key}-state`}>
                  <ChannelState c={settings[key]} />
                </span>
              </div>
            </fieldset>
          );
        })}
        <fieldset>
          <legend>Authentication and sending</legend>
          <label for="bearer-token">Bearer token for your receiver</label>
          <input
            id="bearer-token"
            type="password"
            autoComplete="off"
            placeholder={settings.bearerTokenSet ? 'A token is set: type to replace it' : 'None set'}
            value={form.bearerToken}
            disabled={form.clearBearer}
            onInput={(e) => set({ bearerToken: e.currentTarget.value })}
            aria-describedby="bearer-hint"
          />
          <p id="bearer-hint" class="hint">
            Write-only: sent as Authorization: Bearer, never shown again. {settings.bearerTokenSet ? 'A token is set.' : 'No token is set.'}
          </p>
          {fieldErrors.bearerToken && (
            <p class="field-error" role="alert">
              {fieldErrors.bearerToken}
            </p>
          )}
          {settings.bearerTokenSet && (
            <label class="check">
              <input type="checkbox" checked={form.clearBearer} onChange={(e) => set({ clearBearer: e.currentTarget.checked })} />
              Remove the bearer token
            </label>
          )}
          <label class="check">
            <input type="checkbox" checked={form.offlineMode} onChange={(e) => set({ offlineMode: e.currentTarget.checked })} />
            Offline mode: hold every webhook and send them when it is switched off
          </label>
        </fieldset>
        <Alert>{error}</Alert>
        <div class="row">
          <button type="submit" disabled={busy}>
            Save
          </button>
          <Notice>{saved}</Notice>
        </div>
      </form>
      <section class="card" aria-labelledby="test-title">
        <h2 id="test-title">Test</h2>
        <p>Sends a sample payload to the saved URL now and shows the receiver's answer.</p>
        {CHANNELS.map(({ channel, label }) => (
          <TestButton key={channel} channel={channel} label={label} />
        ))}
      </section>
      <SigningSecret overlapUntil={settings.previousSecretExpiresAt} />
    </section>
  );
}
