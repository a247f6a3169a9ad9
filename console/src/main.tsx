import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onSignedOut, signOut } from './api';
import { DeliveriesPage } from './pages/deliveries';
import { DocumentsPage } from './pages/documents';
import { EndpointsPage } from './pages/endpoints';
import { ExplorerPage } from './pages/explorer';
import { InspectorPage } from './pages/inspector';
import { LiveTailPage } from './pages/live-tail';
import { OverviewPage } from './pages/overview';
import { SettingsPage } from './pages/settings';
import { SignIn } from './pages/sign-in';
import { storedToken } from './session';
import './styles.css';

const PAGES = {
  overview: { title: 'Overview', view: OverviewPage },
  settings: { title: 'Settings → Webhooks', view: SettingsPage },
  documents: { title: 'Documents', view: DocumentsPage },
  deliveries: { title: 'Delivery log', view: DeliveriesPage },
  live: { title: 'Live tail', view: LiveTailPage },
  inspector: { title: 'Inspector', view: InspectorPage },
  endpoints: { title: 'Endpoints', view: EndpointsPage },
  explorer: { title: 'Explorer', view: ExplorerPage },
} as const;
type Page = keyof typeof PAGES;

function currentPage(): Page {
  // A page may have a path of its own after its name (#/endpoints/7).
  const name = location.hash.replace(/^#\/?/, '').split('/')[0]!;
  return name in PAGES ? (name as Page) : 'overview';
}

function App() {
  const [signedIn, setSignedIn] = useState(storedToken() !== null);
  const [reason, setReason] = useState<string | null>(null);
  const [page, setPage] = useState<Page>(currentPage());

  useEffect(() => {
    const onHash = () => setPage(currentPage());
    addEventListener('hashchange', onHash);
    const off = onSignedOut(() => setSignedIn(false));
    return () => {
      removeEventListener('hashchange', onHash);
      off();
    };
  }, []);
  useEffect(() => {
    document.title = signedIn ? `${PAGES[page].title} · RecordEngine Bridge` : 'Sign in · RecordEngine Bridge';
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
  const View = PAGES[page].view;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">RecordEngine Bridge</span>
        <nav aria-label="Console">
          {(Object.keys(PAGES) as Page[]).map((p) => (
            <a key={p} href={`#/${p}`} aria-current={p === page ? 'page' : undefined}>
              {PAGES[p].title}
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
        <View key={page} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('root')!);
