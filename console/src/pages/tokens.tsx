import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { graphql } from '../gql';
import type { ApiScope, ConsoleTokensQuery } from '../gql/graphql';
import { usePagedList } from '../paged-list';
import { Alert, More, Notice, message, when } from '../ui';

const ListTokens = graphql(`
  query ConsoleTokens($after: String) {
    viewer {
      id
    }
    apiTokens(first: 50, after: $after) {
      edges {
        node {
          id
          name
          scopes
          createdAt
          expiresAt
          lastUsedAt
          revokedAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const CreateToken = graphql(`
  mutation ConsoleCreateToken($input: ApiTokenInput!) {
    createApiToken(input: $input) {
      token {
        id
        name
        scopes
        createdAt
        expiresAt
        lastUsedAt
        revokedAt
      }
      secret
    }
  }
`);

const RevokeToken = graphql(`
  mutation ConsoleRevokeToken($id: ID!) {
    revokeApiToken(id: $id) {
      id
      revokedAt
    }
  }
`);

type Token = ConsoleTokensQuery['apiTokens']['edges'][number]['node'];

const SCOPES: { scope: ApiScope; what: string }[] = [
  { scope: 'READ', what: 'queries and subscriptions' },
  { scope: 'WRITE', what: 'read, and change documents, contacts, folders and rules' },
  { scope: 'WEBHOOKS', what: 'read, and webhook settings, endpoints, secrets, replay and tests' },
  { scope: 'ADMIN', what: 'everything, tokens and the audit log included' },
];

function CreateForm({ onCreated }: { onCreated: (token: Token, secret: string) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiScope[]>(['READ']);
  const [expiresAt, setExpiresAt] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const input = { name, scopes, expiresAt: expiresAt ? new Date(expiresAt).toISOString() : null };
      const { createApiToken } = await request(CreateToken, { input });
      onCreated(createApiToken.token, createApiToken.secret);
      setName('');
      setExpiresAt('');
    } catch (err) {
      if (err instanceof ApiError && err.field) setFieldErrors({ [err.field]: err.message });
      else setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  const toggle = (scope: ApiScope, on: boolean) => setScopes(on ? [...scopes, scope] : scopes.filter((s) => s !== scope));

  return (
    <form class="card" onSubmit={submit} aria-labelledby="new-token-title">
      <h2 id="new-token-title">New token</h2>
      <div class="field">
        <label for="token-name">Name</label>
        <input id="token-name" value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={100} aria-describedby="token-name-error" />
        {fieldErrors.name && (
          <span id="token-name-error" class="field-error">
            {fieldErrors.name}
          </span>
        )}
      </div>
      <fieldset>
        <legend>Scopes</legend>
        {SCOPES.map(({ scope, what }) => (
          <label key={scope} class="check">
            <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => toggle(scope, e.currentTarget.checked)} />
            {scope} <span class="muted">({what})</span>
          </label>
        ))}
        {fieldErrors.scopes && <span class="field-error">{fieldErrors.scopes}</span>}
      </fieldset>
      <div class="field">
        <label for="token-expiry">Expires (optional)</label>
        <input id="token-expiry" type="datetime-local" value={expiresAt} onInput={(e) => setExpiresAt(e.currentTarget.value)} />
        {fieldErrors.expiresAt && <span class="field-error">{fieldErrors.expiresAt}</span>}
      </div>
      <button type="submit" disabled={busy}>
        Create token
      </button>
      <Alert>{error}</Alert>
    </form>
  );
}

export function TokensPage() {
  const [self, setSelf] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { rows, setRows, next, error, setError, load, overtake } = usePagedList<Token>(async (after) => {
    const { viewer, apiTokens } = await request(ListTokens, { after });
    setSelf(viewer?.id ?? null);
    return apiTokens;
  });
  useEffect(() => void load(), []);

  const revoke = async (token: Token) => {
    setError(null);
    setDone(null);
    if (!confirm(`Revoke ${token.name}? Whatever uses it stops working at once.`)) return;
    overtake();
    try {
      const { revokeApiToken } = await request(RevokeToken, { id: token.id });
      setRows((rows ?? []).map((r) => (r.id === revokeApiToken.id ? { ...r, revokedAt: revokeApiToken.revokedAt } : r)));
      setDone(`${token.name} was revoked.`);
    } catch (err) {
      setError(message(err));
    }
  };

  return (
    <section>
      <h1>Tokens</h1>
      <CreateForm
        onCreated={(token, value) => {
          overtake();
          setSecret({ name: token.name, value });
          setRows([token, ...(rows ?? [])]);
        }}
      />
      {secret && (
        <section class="card" aria-labelledby="secret-shown-title">
          <h2 id="secret-shown-title">Token {secret.name} created</h2>
          <p>Copy it now: it is shown this once, and only its hash is kept.</p>
          <code class="secret" aria-label="Secret of the new token">
            {secret.value}
          </code>
          <div class="row">
            <button type="button" class="secondary" onClick={() => setSecret(null)}>
              Done
            </button>
          </div>
        </section>
      )}
      <Alert>{error}</Alert>
      <Notice>{done}</Notice>
      {rows && (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>
                    {r.name}
                    {r.id === self && <span class="muted"> (this session)</span>}
                  </td>
                  <td>{r.scopes.join(', ')}</td>
                  <td>{when(r.createdAt)}</td>
                  <td>{r.expiresAt ? when(r.expiresAt) : 'never'}</td>
                  <td>{when(r.lastUsedAt)}</td>
                  <td>
                    {r.revokedAt ? (
                      `revoked ${when(r.revokedAt)}`
                    ) : (
                      <button type="button" class="secondary" onClick={() => revoke(r)} aria-label={`Revoke ${r.name}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <More after={next} onMore={load} />
    </section>
  );
}
