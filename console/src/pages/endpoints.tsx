import { useEffect, useState } from 'preact/hooks';
import { request } from '../api';
import { graphql } from '../gql';
import type { EndpointDetailQuery, EndpointListQuery, WebhookEndpointInput } from '../gql/graphql';
import { Alert, Code, Notice, message, pretty, when } from '../ui';
import { SubscriptionEditor } from './subscription-editor';

const List = graphql(`
  query EndpointList {
    webhookEndpoints(first: 200) {
      edges {
        node {
          id
          url
          description
          enabled
          failingSince
          disabledReason
        }
      }
    }
  }
`);

const LastDelivery = graphql(`
  query EndpointLastDelivery($endpointId: ID!) {
    webhookDeliveries(filter: { endpointId: $endpointId }, first: 1) {
      edges {
        node {
          id
          status
          createdAt
        }
      }
    }
  }
`);

const Detail = graphql(`
  query EndpointDetail($id: ID!) {
    webhookEndpoint(id: $id) {
      id
      url
      subscription
      variables
      description
      enabled
      createdAt
      disabledAt
      disabledReason
      failingSince
      consecutiveFailures
      bodySchema
    }
    webhookDeliveries(filter: { endpointId: $id }, first: 20) {
      edges {
        node {
          id
          status
          attemptCount
          createdAt
          event {
            id
            type
          }
          attempts {
            ok
            httpStatus
            durationMs
            error
          }
        }
      }
    }
  }
`);

const Create = graphql(`
  mutation CreateEndpoint($input: WebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      signingSecret
      endpoint {
        id
      }
    }
  }
`);

const Update = graphql(`
  mutation UpdateEndpoint($id: ID!, $input: WebhookEndpointInput!) {
    updateWebhookEndpoint(id: $id, input: $input) {
      id
    }
  }
`);

const Delete = graphql(`
  mutation DeleteEndpoint($id: ID!) {
    deleteWebhookEndpoint(id: $id)
  }
`);

const Rotate = graphql(`
  mutation RotateEndpointSecret($id: ID!) {
    rotateWebhookEndpointSecret(id: $id) {
      signingSecret
    }
  }
`);

const TestSend = graphql(`
  mutation TestEndpoint($id: ID!) {
    testWebhookEndpoint(id: $id) {
      ok
      httpStatus
      durationMs
      responseExcerpt
      error
    }
  }
`);

const Preview = graphql(`
  query PreviewEndpoint($subscription: String!, $variables: JSON) {
    previewWebhookEndpoint(subscription: $subscription, variables: $variables)
  }
`);

type Endpoint = NonNullable<EndpointDetailQuery['webhookEndpoint']>;
type ListedEndpoint = EndpointListQuery['webhookEndpoints']['edges'][number]['node'];

const EXAMPLE = `subscription ExportedInvoices($minConfidence: Int) {
  documentExported(minConfidence: $minConfidence) {
    id
    filename
    status
    confidenceScore
  }
}
`;

/** Where the page is: the list, a new endpoint, or one endpoint (#/endpoints, #/endpoints/new, #/endpoints/<id>). */
function route(): string | null {
  return location.hash.match(/^#\/endpoints\/(\w+)/)?.[1] ?? null;
}

function Last({ id }: { id: string }) {
  const [text, setText] = useState('…');
  useEffect(() => {
    request(LastDelivery, { endpointId: id })
      .then(({ webhookDeliveries }) => {
        const d = webhookDeliveries.edges[0]?.node;
        setText(d ? `${d.status.toLowerCase()}, ${when(d.createdAt)}` : 'none yet');
      })
      .catch((err: unknown) => setText(message(err)));
  }, [id]);
  return <>{text}</>;
}

function EndpointList({ onError }: { onError(text: string): void }) {
  const [rows, setRows] = useState<ListedEndpoint[] | null>(null);
  useEffect(() => {
    request(List)
      .then(({ webhookEndpoints }) => setRows(webhookEndpoints.edges.map((e) => e.node)))
      .catch((err: unknown) => onError(message(err)));
  }, []);
  if (!rows) return <p class="muted">Loading…</p>;
  if (rows.length === 0) return <p class="muted">No endpoint yet.</p>;
  return (
    <div class="table-wrap">
      <table aria-label="Endpoints">
        <thead>
          <tr>
            <th scope="col">URL</th>
            <th scope="col">Description</th>
            <th scope="col">State</th>
            <th scope="col">Last delivery</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id}>
              <th scope="row" class="url">
                <a href={`#/endpoints/${e.id}`}>{e.url}</a>
              </th>
              <td>{e.description ?? ''}</td>
              <td>
                {!e.enabled ? (
                  <span class="state off">off{e.disabledReason ? `: ${e.disabledReason}` : ''}</span>
                ) : e.failingSince ? (
                  <span class="state warn">failing since {when(e.failingSince)}</span>
                ) : (
                  <span class="state on">on</span>
                )}
              </td>
              <td>
                <Last id={e.id} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Draft = { url: string; description: string; enabled: boolean; subscription: string; variables: string; after: string };

const draftOf = (e: Endpoint | null): Draft => ({
  url: e?.url ?? '',
  description: e?.description ?? '',
  enabled: e?.enabled ?? true,
  subscription: e?.subscription ?? EXAMPLE,
  variables: e?.variables == null ? '' : JSON.stringify(e.variables, null, 2),
  after: '',
});

/** The variables field as JSON, or why it is not an object. */
function parseVariables(text: string): { value: Record<string, unknown> | null } | { error: string } {
  if (!text.trim()) return { value: null };
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'Variables must be a JSON object, such as {"minConfidence": 90}.' };
    return { value: value as Record<string, unknown> };
  } catch (err) {
    return { error: `Variables are not JSON: ${message(err)}` };
  }
}

function EndpointForm({ endpoint, onSaved }: { endpoint: Endpoint | null; onSaved(id: string, secret: string | null): void }) {
  const [draft, setDraft] = useState<Draft>(draftOf(endpoint));
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const variables = parseVariables(draft.variables);

  const runPreview = async () => {
    setError(null);
    setPreview(null);
    if ('error' in variables) return setError(variables.error);
    try {
      const { previewWebhookEndpoint } = await request(Preview, { subscription: draft.subscription, variables: variables.value });
      setPreview(previewWebhookEndpoint == null ? 'No recent event is one this document chooses: make a change it subscribes to, then preview again.' : pretty(previewWebhookEndpoint));
    } catch (err) {
      setError(message(err));
    }
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if ('error' in variables) return setError(variables.error);
    const input: WebhookEndpointInput = {
      url: draft.url.trim(),
      description: draft.description.trim() || null,
      enabled: draft.enabled,
      subscription: draft.subscription,
      variables: variables.value,
      ...(draft.after.trim() && { after: draft.after.trim() }),
    };
    setBusy(true);
    try {
      if (endpoint) {
        await request(Update, { id: endpoint.id, input });
        onSaved(endpoint.id, null);
      } else {
        const { createWebhookEndpoint } = await request(Create, { input });
        onSaved(createWebhookEndpoint.endpoint.id, createWebhookEndpoint.signingSecret);
      }
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" onSubmit={save} aria-label={endpoint ? 'Edit endpoint' : 'New endpoint'}>
      <label for="ep-url">URL</label>
      <input id="ep-url" type="url" required value={draft.url} onInput={(e) => set({ url: e.currentTarget.value })} placeholder="https://example.com/webhooks" />
      <label for="ep-description">Description</label>
      <input id="ep-description" value={draft.description} onInput={(e) => set({ description: e.currentTarget.value })} />
      <label class="check">
        <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} /> Enabled
      </label>
      <p class="label">Subscription document</p>
      <p class="hint">One root field: events, documentExported, contactChanged or folderChanged. Ctrl-Space completes; errors are underlined as you type.</p>
      <SubscriptionEditor id="ep-subscription" label="Subscription document" value={draft.subscription} onChange={(subscription) => set({ subscription })} />
      <label for="ep-variables">Variables (JSON)</label>
      <textarea id="ep-variables" rows={3} value={draft.variables} onInput={(e) => set({ variables: e.currentTarget.value })} aria-invalid={'error' in variables} />
      <label for="ep-after">Backfill after (an event cursor; empty: from now on)</label>
      <input id="ep-after" value={draft.after} onInput={(e) => set({ after: e.currentTarget.value })} />
      <Alert>{error}</Alert>
      <div class="row">
        <button type="submit" disabled={busy}>
          {endpoint ? 'Save endpoint' : 'Create endpoint'}
        </button>
        <button type="button" class="secondary" onClick={runPreview}>
          Preview body
        </button>
      </div>
      {preview && <Code label="Preview of the body">{preview}</Code>}
    </form>
  );
}

function EndpointDetail({ id, secret, onGone }: { id: string; secret: string | null; onGone(): void }) {
  const [data, setData] = useState<EndpointDetailQuery | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [shownSecret, setShownSecret] = useState<string | null>(secret);
  const [test, setTest] = useState<string | null>(null);
  const load = () =>
    request(Detail, { id })
      .then(setData)
      .catch((err: unknown) => setError(message(err)));
  useEffect(() => void load(), [id]);

  const act = async (what: () => Promise<void>) => {
    setError(null);
    setNotice(null);
    try {
      await what();
    } catch (err) {
      setError(message(err));
    }
  };
  if (!data) return <Alert>{error ?? 'Loading…'}</Alert>;
  const endpoint = data.webhookEndpoint;
  if (!endpoint) return <Alert>Endpoint {id} does not exist.</Alert>;

  return (
    <>
      <h2>Endpoint {endpoint.id}</h2>
      {shownSecret && (
        <div class="card" role="status">
          <p>
            Signing secret, shown this once: <code class="secret">{shownSecret}</code>
          </p>
        </div>
      )}
      <div class="row">
        <button type="button" class="secondary" onClick={() => act(async () => setTest(pretty((await request(TestSend, { id })).testWebhookEndpoint)))}>
          Send a test
        </button>
        <button type="button" class="secondary" onClick={() => act(async () => setShownSecret((await request(Rotate, { id })).rotateWebhookEndpointSecret.signingSecret))}>
          Rotate secret
        </button>
        <button
          type="button"
          class="secondary"
          onClick={() =>
            act(async () => {
              if (!confirm(`Delete endpoint ${id} and its delivery log?`)) return;
              await request(Delete, { id });
              onGone();
            })
          }
        >
          Delete endpoint
        </button>
      </div>
      <Alert>{error}</Alert>
      <Notice>{notice}</Notice>
      {test && <Code label="Test result">{test}</Code>}
      <EndpointForm
        key={endpoint.id}
        endpoint={endpoint}
        onSaved={() =>
          act(async () => {
            await load();
            setNotice('Saved.');
          })
        }
      />
      <details class="card">
        <summary>Body schema (JSON Schema of what this endpoint receives)</summary>
        {endpoint.bodySchema == null ? (
          <p class="muted">None: the stored document is no longer one the schema accepts.</p>
        ) : (
          <Code label="Body schema">{pretty(endpoint.bodySchema)}</Code>
        )}
      </details>
      <h2>Deliveries</h2>
      {data.webhookDeliveries.edges.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <div class="table-wrap">
          <table aria-label="Deliveries of this endpoint">
            <thead>
              <tr>
                <th scope="col">Delivery</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Queued</th>
                <th scope="col">Last attempt</th>
              </tr>
            </thead>
            <tbody>
              {data.webhookDeliveries.edges.map(({ node: d }) => {
                const last = d.attempts[d.attempts.length - 1];
                return (
                  <tr key={d.id}>
                    <td>{d.id}</td>
                    <td>{d.event.type}</td>
                    <td>
                      <span class={`status d-${d.status.toLowerCase()}`}>{d.status}</span>
                    </td>
                    <td>{when(d.createdAt)}</td>
                    <td>{last ? `${last.httpStatus ?? last.error ?? '—'} in ${last.durationMs} ms` : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function EndpointsPage() {
  const [at, setAt] = useState(route());
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const onHash = () => setAt(route());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  return (
    <section>
      <h1>Endpoints</h1>
      <p class="hint">
        Each endpoint receives, for every event its GraphQL subscription chooses, the document's result as a signed webhook.{' '}
        {at ? <a href="#/endpoints">All endpoints</a> : <a href="#/endpoints/new">New endpoint</a>}
      </p>
      <Alert>{error}</Alert>
      {at === null && <EndpointList onError={setError} />}
      {at === 'new' && (
        <EndpointForm
          endpoint={null}
          onSaved={(id, signingSecret) => {
            if (signingSecret) setCreated({ id, secret: signingSecret });
            location.hash = `#/endpoints/${id}`;
          }}
        />
      )}
      {at !== null && at !== 'new' && <EndpointDetail key={at} id={at} secret={created?.id === at ? created.secret : null} onGone={() => (location.hash = '#/endpoints')} />}
    </section>
  );
}
