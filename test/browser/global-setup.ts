import { existsSync } from 'node:fs';
import { chromium, type BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { ensureConsoleBuilt } from '../../console/build.js';
import { CHROMIUM } from './chromium-path.js';

declare module 'vitest' {
  export interface ProvidedContext {
    browserWsEndpoint: string;
    /** Why there is no browser, when there is none. */
    browserMissing: string;
  }
}

let server: BrowserServer | undefined;

/**
 * One headless Chromium for the whole run, shared by the browser test files (each test
 * takes a fresh context), and the console bundle built as `npm start` builds it.
 */
export async function setup(project: TestProject) {
  project.provide('browserWsEndpoint', '');
  // The other tests run without a browser; the browser tests then fail, saying why.
  if (!existsSync(CHROMIUM)) {
    project.provide('browserMissing', `No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    return;
  }
  project.provide('browserMissing', '');
  await ensureConsoleBuilt();
  server = await chromium.launchServer({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  project.provide('browserWsEndpoint', server.wsEndpoint());
}

export async function teardown() {
  await server?.close();
}
