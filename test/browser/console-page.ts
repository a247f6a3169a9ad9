import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';

/** The shared Chromium of the run (global-setup.ts). */
export function connectBrowser(): Promise<Browser> {
  const missing = inject('browserMissing');
  if (missing) throw new Error(missing);
  return chromium.connect(inject('browserWsEndpoint'));
}

export type ConsoleTab = { page: Page; cspErrors: string[] };

/** A fresh context (no storage): nothing of one test leaks into the next. */
export function newContext(browser: Browser, appUrl: string, width = 1280): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width, height: width > 600 ? 900 : 844 }, baseURL: appUrl });
}

/** A tab on the console, signed in with the token when one is given, collecting what the CSP refused. */
export async function openConsole(context: BrowserContext, token?: string, hash = ''): Promise<ConsoleTab> {
  const page = await context.newPage();
  const cspErrors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content.Security.Policy/i.test(msg.text())) cspErrors.push(msg.text());
  });
  await page.goto(`/console/${hash}`);
  if (token) {
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('main h1').waitFor();
  }
  return { page, cspErrors };
}
