import { render, type ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onSignedOut, request, signOut } from './api';
import { AuditPage } from './pages/audit';
import { DeliveriesPage } from './pages/deliveries';
import { DocumentsPage } from './pages/documents';
import { EndpointsPage } from './pages/endpoints';
import { ExplorerPage } from './pages/explorer';
import { InspectorPage } from './pages/inspector';
import { LiveTailPage } from './pages/live-tail';
import { OverviewPage } from './pages/overview';
import { SettingsPage } from './pages/settings';
import { SignIn } from './pages/sign-in';
import { TokensPage } from './pages/tokens';
import { ReadViewer, ViewerScopes, type Scopes } from './viewer';
import { grants, type ApiScope } from '../../src/auth/scopes';
import { storedToken } from './session';
import './styles.css';

/** Each page with the scope it needs: a page the token may not use is not offered. */
const PAGES: Record<string, { title: string; view: ComponentType; needs: ApiScope }> = {
  overview: { title: 'Overview', view: OverviewPage, needs: 'READ' },
  settings: { title: 'Settings → Webhooks', view: SettingsPage, needs: 'WEBHOOKS' },
  documents: { title: 'Documents', view: DocumentsPage, needs: 'READ' },
  deliveries: { title: 'Delivery log', view: DeliveriesPage, needs: 'READ' },
  live: { title: 'Live tail', view: LiveTailPage, needs: 'READ' },
  inspector: { title: 'Inspector', view: InspectorPage, needs: 'WEBHOOKS' },
  endpoints: { title: 'Endpoints', view: EndpointsPage, needs: 'WEBHOOKS' },
  explorer: { title: 'Explorer', view: ExplorerPage, needs: 'READ' },
  tokens: { title: 'Tokens', view: TokensPage, needs: 'ADMIN' },
  audit: { title: 'Audit', view: AuditPage, needs: 'ADMIN' },
};
type Page = keyof typeof PAGES;

/** The page of the address when the token may use it, else the first one it may; a page may have a path of its own after its name (#/endpoints/7). */
function currentPage(scopes: Scopes): Page {
  const allowed = Object.keys(PAGES).filter((p) => grants(scopes, PAGES[p]!.needs));
  const name = location.hash.replace(/^#\/?/, '').split('/')[0]!;
  return allowed.includes(name) ? name : (allowed[0] ?? 'overview');
}

function App() {
  const [signedIn, setSignedIn] = useState(storedToken() !== null);
  const [reason, setReason] = useState<string | null>(null);
  const [scopes, setScopes] = useState<Scopes | null>(null);
  const [page, setPage] = useState<Page>('overview');

  useEffect(() => {
    if (!signedIn) {
      setScopes(null);
      return;
    }
    // The page is chosen with the scopes, in the same render: a page rendered before would
    // mount (and send its queries) only to be replaced.
    const withScopes = (granted: Scopes) => {
      setPage(currentPage(granted));
      setScopes(granted);
    };
    request(ReadViewer)
      .then(({ viewer }) => withScopes(viewer?.scopes ?? []))
      .catch(() => withScopes([]));
  }, [signedIn]);
  useEffect(() => {
    if (!scopes) return;
    setPage(currentPage(scopes));
    const onHash = () => setPage(currentPage(scopes));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [scopes]);
  useEffect(() => {
    const off = onSignedOut(() => setSignedIn(false));
    return off;
  }, []);
  useEffect(() => {
    document.title = signedIn ? `${PAGES[page]!.title} · RecordEngine Bridge` : 'Sign in · RecordEngine Bridge';
  }, [page, signedIn]);

  if (!signedIn) {
    return (
      <SignIn
        reason={reason}
        onSignedIn={() => {
          setReason(null);
          setSignedIn(true);
        }}
      />
    );
  }
  if (!scopes) return <p aria-busy="true">Loading…</p>;
  const View = PAGES[page]!.view;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">RecordEngine Bridge</span>
        <nav aria-label="Console">
          {Object.keys(PAGES)
            .filter((p) => grants(scopes, PAGES[p]!.needs))
            .map((p) => (
              <a key={p} href={`#/${p}`} aria-current={p === page ? 'page' : undefined}>
                {PAGES[p]!.title}
              </a>
            ))}
        </nav>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setReason('You signed out: the token was forgotten.');
            signOut();
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <ViewerScopes.Provider value={scopes}>
          <View key={page} />
        </ViewerScopes.Provider>
      </main>
    </>
  );
}

render(<App />, document.getElementById('root')!);
