import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

/** Where the console's bundle is built (console/build.ts), beside the sources, git-ignored. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/**
 * Every asset is the service's own and no page runs inline script: the policy refuses
 * anything else. The console talks to this origin only, over HTTP and WebSocket, and frames
 * only its own explorer.
 */
const CONSOLE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ws: wss:",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The explorer's page (GraphiQL): the same, and what its editor (Monaco) needs, by name: its
 * workers, from this origin, and the style elements it writes at run time for its themes and
 * decorations ('unsafe-inline' for styles only, never for script). Only the console frames it.
 */
const EXPLORER_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

/** The console at /console: static files of the built bundle, index.html for every page path. */
export function serveConsole(dir = CONSOLE_DIST): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    res.setHeader('content-security-policy', req.path === '/explorer.html' ? EXPLORER_POLICY : CONSOLE_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  router.use(express.static(dir, { index: 'index.html', fallthrough: true, maxAge: 0 }));
  router.get('/{*page}', (_req, res) => {
    const index = `${dir}index.html`;
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send('The console is not built: `npm start` builds it, or run `npm run build:console`.\n');
      return;
    }
    res.sendFile(index);
  });
  return router;
}
