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
  },
});
