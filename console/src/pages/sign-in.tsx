import { useState } from 'preact/hooks';
import { request } from '../api';
import { graphql } from '../gql';
import { keepToken } from '../session';
import { Alert, message } from '../ui';

const CheckToken = graphql(`
  query CheckToken {
    webhookSettings {
      offlineMode
    }
  }
`);

export function SignIn({ onSignedIn, reason }: { onSignedIn(): void; reason: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await request(CheckToken, undefined, token.trim());
      keepToken(token.trim());
      onSignedIn();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>RecordEngine Bridge</h1>
      <form onSubmit={submit} class="card">
        <h2>Sign in</h2>
        <p>Use an API token: the one the service printed at its first start, or one from regenerateApiToken.</p>
        <Alert>{reason}</Alert>
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          placeholder="re_…"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          required
          aria-describedby={error ? 'token-error' : undefined}
        />
        {error && (
          <p id="token-error" class="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <p class="hint">The token is kept in this tab only, until you sign out or close it.</p>
      </form>
    </main>
  );
}
