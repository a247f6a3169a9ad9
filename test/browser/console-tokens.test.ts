import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { connectBrowser, newContext, openConsole } from './console-page.js';

let t: TestApp;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestApp({ WEBHOOK_WORKER: 'false' }), connectBrowser()]);
});
afterEach(async () => {
  await context?.close();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function createToken(name: string, scopes: string[]): Promise<string> {
  const { createApiToken } = await t.ok(`mutation($input: ApiTokenInput!) { createApiToken(input: $input) { secret } }`, { input: { name, scopes } });
  return createApiToken.secret;
}

describe('console: tokens and audit', { timeout: 120_000 }, () => {
  it('creates a token with its scopes, shows its secret once, revokes it, and shows both in the audit log', async () => {
    context = await newContext(browser, t.url);
    const { page, cspErrors } = await openConsole(context, t.token, '#/tokens');
    await page.getByRole('heading', { name: 'Tokens' }).waitFor();
    await page.getByLabel('Name').fill('Partner feed');
    await page.getByRole('checkbox', { name: /^WEBHOOKS/ }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = (await page.getByLabel('Secret of the new token').textContent())!;
    expect(secret).toMatch(/^re_[0-9a-f]{40}$/);
    expect((await t.gql(`{ viewer { name scopes } }`, undefined, secret)).data).toEqual({ viewer: { name: 'Partner feed', scopes: ['READ', 'WEBHOOKS'] } });
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByLabel('Secret of the new token').count()).toBe(0);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke Partner feed' }).click();
    await page.getByRole('status').filter({ hasText: 'Partner feed was revoked.' }).waitFor();
    expect((await t.gql(`{ viewer { name } }`, undefined, secret)).status).toBe(401);

    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    expect(await rows.nth(0).locator('td').nth(2).textContent()).toBe('apiToken.revoke');
    expect(await rows.nth(1).locator('td').nth(2).textContent()).toBe('apiToken.create');
    expect(await rows.nth(1).locator('td').nth(1).textContent()).toBe('API_TOKEN');
    expect(await page.content()).not.toContain(secret);
    expect(cspErrors).toEqual([]);
  });

  it('offers a READ token only the pages and buttons it may use', async () => {
    await t.ok(`mutation { configureWebhooks(input: { contact: { url: "http://127.0.0.1:9/hook" } }) { offlineMode } }`);
    await t.ok(`mutation { createContact(input: { name: "Seen", type: CLIENT }) { id } }`);
    const token = await createToken('reader', ['READ']);
    context = await newContext(browser, t.url);
    const { page } = await openConsole(context, token, '#/tokens');
    // The page asked for is not one it may use: it lands on the first one it may.
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Console' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Overview', 'Documents', 'Delivery log', 'Live tail', 'Explorer']);

    await nav.getByRole('link', { name: 'Delivery log' }).click();
    await page.locator('tbody tr').first().waitFor();
    await page.locator('tbody tr button.link').first().click();
    await page.getByRole('heading', { name: 'Body' }).waitFor();
    expect(await page.getByRole('button', { name: 'Redeliver' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Replay' }).count()).toBe(0);
  });

  it('offers an ADMIN token every page', async () => {
    context = await newContext(browser, t.url);
    const { page } = await openConsole(context, t.token);
    // The navigation is drawn once the token's scopes are read.
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Console' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Overview',
      'Settings → Webhooks',
      'Documents',
      'Delivery log',
      'Live tail',
      'Inspector',
      'Endpoints',
      'Explorer',
      'Tokens',
      'Audit',
    ]);
  });

  it('fits Tokens and Audit in the window at 1280 and 390 pixels (and takes their screenshots with CONSOLE_SCREENSHOTS)', async () => {
    const shots = process.env.CONSOLE_SCREENSHOTS;
    if (shots) mkdirSync(shots, { recursive: true });
    await createToken('Partner feed (read only)', ['READ']);
    await t.ok(`mutation { configureWebhooks(input: { document: { url: "http://127.0.0.1:9/documents" }, bearerToken: "receiver-token" }) { offlineMode } }`);
    for (const width of [1280, 390]) {
      context = await newContext(browser, t.url, width);
      const { page } = await openConsole(context, t.token);
      for (const name of ['tokens', 'audit']) {
        await page.goto(`/console/#/${name}`);
        await page.locator('main h1').waitFor();
        await page.locator('tbody tr').first().waitFor();
        const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
        expect(overflow, `${name} at ${width}px`).toBeLessThanOrEqual(0);
        if (shots) await page.screenshot({ path: `${shots}/${name}-${width}.png`, fullPage: width > 600 });
      }
      await context.close();
    }
  });

  // Last: the tokens it makes would fill the pages that the screenshots above show.
  it('reads the tokens and the audit log past their first page of 50 with More', async () => {
    // One more than a page of tokens, and so of their audit entries too.
    for (let i = 0; i < 51; i++) await createToken(`Batch ${i}`, ['READ']);
    context = await newContext(browser, t.url);
    const { page, cspErrors } = await openConsole(context, t.token);
    for (const [name, heading] of [
      ['tokens', 'Tokens'],
      ['audit', 'Audit log'],
    ] as const) {
      await page.goto(`/console/#/${name}`);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      const rows = page.locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(50);
      await page.getByRole('button', { name: 'More' }).click();
      await expect.poll(() => rows.count()).toBeGreaterThan(50);
      // Fewer than 100 of each: the second page is the last, and the button goes.
      await page.getByRole('button', { name: 'More' }).waitFor({ state: 'detached' });
    }
    expect(cspErrors).toEqual([]);
  });
});
