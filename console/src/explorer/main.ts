import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { parse } from 'graphql';
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { storedToken } from '../session';
import './explorer.css';

/**
 * GraphiQL, bundled with the console and served from this origin (its editor's workers too).
 * It is a page of its own, with React, framed by the console's Explorer page: the console's
 * first page stays small and Preact. The signed-in token goes with every request, and
 * subscriptions run over graphql-ws on /graphql.
 */
const root = document.getElementById('explorer')!;
const token = storedToken();
if (!token) {
  root.textContent = 'Sign in on the console first: the explorer sends your API token with every request.';
} else {
  const authorization = `Bearer ${token}`;
  const transport = createGraphiQLFetcher({
    url: '/graphql',
    subscriptionUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    headers: { authorization },
    wsConnectionParams: { authorization },
  });
  // The fetcher sends a subscription over the WebSocket when the document GraphiQL hands it
  // says so; GraphiQL parses the editor's text a moment after typing, so a Run right after
  // typing a subscription would send it over HTTP. The text being sent decides instead.
  const fetcher: Fetcher = (params, opts) => {
    let documentAST = opts?.documentAST;
    try {
      documentAST = parse(params.query);
    } catch {
      // Not a document: the server names what is wrong with it.
    }
    return transport(params, { ...opts, documentAST });
  };
  createRoot(root).render(createElement(GraphiQL, { fetcher, defaultQuery: '{\n  webhookSettings {\n    offlineMode\n  }\n}\n' }));
}
