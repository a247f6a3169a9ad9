import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console's bundle, served by the service at /console. Preact's JSX is compiled by
 * Vite's own transformer; no plugin is needed. No inline script or style comes out, so a
 * strict Content-Security-Policy holds.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    // Monaco (the explorer's editor, loaded only by the explorer) is one chunk of about 2.8 MB.
    chunkSizeWarningLimit: 3_000,
    // The console, and the GraphQL explorer as a page of its own (GraphiQL brings React and Monaco).
    rollupOptions: {
      // GraphiQL's dependencies mark themselves "use client" for React server bundlers; a browser bundle has no use for it.
      onwarn: (warning, warn) => (warning.code === 'MODULE_LEVEL_DIRECTIVE' ? undefined : warn(warning)),
      input: { index: fileURLToPath(new URL('index.html', import.meta.url)), explorer: fileURLToPath(new URL('explorer.html', import.meta.url)) },
    },
  },
  worker: { format: 'es' },
});
