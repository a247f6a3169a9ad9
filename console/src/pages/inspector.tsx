import { useEffect, useState } from 'preact/hooks';
import { request, subscribe } from '../api';
import { graphql } from '../gql';
import { Alert, Code, Notice, message, pretty, when } from '../ui';

const Create = graphql(`
  mutation CreateInspector {
    createInspector {
      id
      url
      expiresAt
    }
  }
`);

const Find = graphql(`
  query FindInspector($id: ID!) {
    inspector(id: $id) {
      id
      url
      expiresAt
    }
  }
`);

const ListInspectors = graphql(`
  query ListInspectors {
    inspectors {
      id
      url
      createdAt
      expiresAt
      requests(first: 100) {
        id
      }
    }
  }
`);

const Received = graphql(`
  subscription InspectorRequests($id: ID!, $after: ID) {
    inspectorRequestReceived(id: $id, after: $after) {
      id
      receivedAt
      method
      path
      headers {
        name
        value
      }
      body
      size
      bodyTruncated
    }
  }
`);

const PointChannel = graphql(`
  mutation PointChannelAtInspector($input: WebhookSettingsInput!) {
    configureWebhooks(input: $input) {
      document {
        url
      }
    }
  }
`);

const KEY = 'recordengine.inspector';

type Inspector = { id: string; url: string; expiresAt: string };
type Listed = Inspector & { createdAt: string; requests: { id: string }[] };
type Received = {
  id: string;
  receivedAt: string;
  method: string;
  path: string;
  headers: { name: string; value: string }[];
  body: string;
  size: number;
  bodyTruncated: boolean;
};

function RequestView({ r }: { r: Received }) {
  return (
    <article class="card request" aria-label={`${r.method} request ${r.id}`}>
      <h3>
        {r.method} <code>{r.path}</code> <time>{when(r.receivedAt)}</time>
      </h3>
      <details open>
        <summary>Headers ({r.headers.length})</summary>
        <dl class="headers">
          {r.headers.map((h, i) => (
            <div key={i}>
              <dt>{h.name}</dt>
              <dd>{h.value}</dd>
            </div>
          ))}
        </dl>
      </details>
      <p class="hint">
        Body: {r.size} bytes{r.bodyTruncated ? ', cut at 256 KiB' : ''}
      </p>
      <Code label={`Body of request ${r.id}`}>{pretty(r.body)}</Code>
    </article>
  );
}

export function InspectorPage() {
  const [inspector, setInspector] = useState<Inspector | null>(null);
  const [requests, setRequests] = useState<Received[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const [listed, setListed] = useState<Listed[]>([]);

  // Every inspector that exists, made here, in another tab or by the API; the one this tab used last is shown, others when chosen.
  useEffect(() => {
    const id = sessionStorage.getItem(KEY);
    Promise.all([request(ListInspectors), id ? request(Find, { id }) : Promise.resolve({ inspector: null })])
      .then(([{ inspectors }, { inspector: mine }]) => {
        // One created while these were read stays, and stays shown.
        setListed((made) => [...made.filter((m) => !inspectors.some((i) => i.id === m.id)), ...inspectors]);
        if (!mine && id) sessionStorage.removeItem(KEY);
        if (mine) setInspector((current) => current ?? mine);
      })
      .catch((err: unknown) => setError(message(err)));
  }, []);

  useEffect(() => {
    if (!inspector) return;
    setRequests([]);
    // Every kept request first, then each new one; after a dropped connection, those after the last one shown.
    const variables: { id: string; after: string | null } = { id: inspector.id, after: null };
    return subscribe(Received, variables, {
      next: ({ inspectorRequestReceived: r }) => {
        variables.after = r.id;
        setRequests((old) => [r, ...old].slice(0, 100));
      },
      error: setError,
    });
  }, [inspector?.id]);

  const create = async () => {
    setError(null);
    try {
      const created = (await request(Create)).createInspector;
      sessionStorage.setItem(KEY, created.id);
      setInspector(created);
      setListed((old) => [{ ...created, createdAt: new Date().toISOString(), requests: [] }, ...old]);
    } catch (err) {
      setError(message(err));
    }
  };
  const point = async (channel: 'document' | 'contact' | 'folder') => {
    if (!inspector) return;
    setError(null);
    setDone(null);
    try {
      await request(PointChannel, { input: { [channel]: { url: inspector.url, enabled: true } } });
      setDone(`The ${channel} channel now sends its webhooks to this inspector.`);
    } catch (err) {
      setError(message(err));
    }
  };

  return (
    <section>
      <h1>Inspector</h1>
      <p>
        A temporary URL hosted by this service: it answers 200 to anything and shows each request here the moment it arrives. Point a channel at it to see
        the exact webhooks, with no receiver of your own.
      </p>
      <div class="row">
        <button type="button" onClick={create}>
          {inspector ? 'New inspector URL' : 'Create an inspector URL'}
        </button>
      </div>
      <Alert>{error}</Alert>
      {listed.length > 0 && (
        <div class="table-wrap">
          <table aria-label="Inspectors">
            <thead>
              <tr>
                <th scope="col">Inspector URL</th>
                <th scope="col">Created</th>
                <th scope="col">Requests</th>
                <th scope="col">
                  <span class="sr-only">Show</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {listed.map((i) => (
                <tr key={i.id} aria-current={i.id === inspector?.id ? 'true' : undefined}>
                  <td class="url">{i.url}</td>
                  <td>{when(i.createdAt)}</td>
                  <td>{i.id === inspector?.id ? requests.length : i.requests.length}</td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Show the requests of ${i.id}`}
                      disabled={i.id === inspector?.id}
                      onClick={() => {
                        sessionStorage.setItem(KEY, i.id);
                        setInspector(i);
                      }}
                    >
                      Show
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {inspector && (
        <div class="card">
          <label for="inspector-url">Inspector URL</label>
          <input id="inspector-url" readOnly value={inspector.url} onFocus={(e) => e.currentTarget.select()} />
          <p class="hint">Kept until {when(inspector.expiresAt)}, with its newest 100 requests.</p>
          <div class="row">
            <button type="button" class="secondary" onClick={() => point('document')}>
              Send Document webhooks here
            </button>
            <button type="button" class="secondary" onClick={() => point('contact')}>
              Send Contact webhooks here
            </button>
            <button type="button" class="secondary" onClick={() => point('folder')}>
              Send Folder webhooks here
            </button>
          </div>
          <Notice>{done}</Notice>
        </div>
      )}
      {inspector && (
        <div aria-live="polite" aria-label="Received requests, newest first">
          {requests.length === 0 ? <p class="muted">No request yet. Waiting…</p> : requests.map((r) => <RequestView key={r.id} r={r} />)}
        </div>
      )}
    </section>
  );
}
