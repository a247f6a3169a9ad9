import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_PAGE_BUDGET, firstPageSize } from '../../console/first-page-size.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, pointChannel, verifySignature } from '../helpers/webhooks.js';
import { connectBrowser, newContext, openConsole } from './console-page.js';

let t: TestApp;
let receiver: TestReceiver;
let browser: Browser;
let context: BrowserContext;
/** Every URL any page, frame or worker of the test's context asked for. */
let requested: string[];

beforeAll(async () => {
  [t, receiver, browser] = await Promise.all([startTestApp(), new TestReceiver().start(), connectBrowser()]);
});
afterEach(async () => {
  // Nothing the console does leaves the service's origin: not a script, a font, a worker or a socket.
  const origin = new URL(t.url);
  const foreign = requested.filter((url) => {
    const u = new URL(url);
    return !(u.host === origin.host && ['http:', 'ws:'].includes(u.protocol)) && !['data:', 'blob:'].includes(u.protocol);
  });
  await context?.close();
  expect(foreign).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await receiver?.stop();
  await t?.stop();
});

async function tab(hash: string, width = 1280): Promise<{ page: Page; cspErrors: string[] }> {
  context = await newContext(browser, t.url, width);
  requested = [];
  context.on('request', (r) => requested.push(r.url()));
  context.on('page', (page) => page.on('websocket', (ws) => requested.push(ws.url())));
  return openConsole(context, t.token, hash);
}

/**
 * Replaces an editor's text as a person would: select all, delete (the editor's own command),
 * type. Chromium's native editing, replacing a selection over the editor's highlighted spans,
 * writes style attributes that the CSP refuses (and CodeMirror redraws from its state anyway);
 * Playwright's fill() does that, so it is not used.
 */
async function typeInto(editor: Locator, text: string): Promise<void> {
  await editor.focus();
  await editor.press('Control+A');
  await editor.press('Delete');
  await editor.page().keyboard.insertText(text);
}

describe('the console’s webhook pages in a real browser', { timeout: 120_000 }, () => {
  it('keeps the first page within its compressed budget', () => {
    const { bytes, files } = firstPageSize(fileURLToPath(new URL('../../console/dist/', import.meta.url)));
    process.stdout.write(`console first page: ${(bytes / 1024).toFixed(1)} KiB compressed, ${files.length} files\n`);
    expect(bytes).toBeLessThanOrEqual(FIRST_PAGE_BUDGET);
    expect(files.some((f) => /monaco|graphiql|uplot|time-series|graphql-editor/i.test(f))).toBe(false);
    requested = [];
  });

  it('opens on the overview: each channel with its success rate and backlog, charts, kept current by the live attempts', async () => {
    await pointChannel(t, 'contact', receiver.url);
    await createContact(t, 'Overview One');
    await receiver.waitFor(1);
    const { page, cspErrors } = await tab('');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const table = page.getByRole('table', { name: 'Channels and endpoints' });
    const contact = table.getByRole('row', { name: /Contact channel/ });
    await expect.poll(() => contact.textContent(), { timeout: 15_000 }).toContain('100 %');
    expect(await table.getByRole('row', { name: /Document channel/ }).textContent()).toContain('no URL');
    await page.getByRole('img', { name: /^Attempts per minute: 1 attempts/ }).waitFor();
    await page.getByRole('img', { name: /^Attempt latency/ }).locator('canvas').waitFor();
    // The attempts' subscription brings the next figures without a reload.
    await createContact(t, 'Overview Two');
    await expect.poll(() => contact.textContent(), { timeout: 15_000 }).toMatch(/\b2 attempts/);
    expect(cspErrors).toEqual([]);
  });

  it('creates an endpoint in the editor that knows the schema, previews its body, and the endpoint receives its webhook', async () => {
    const endpointReceiver = await new TestReceiver().start();
    try {
      const contactId = await createContact(t, 'Editor Preview AG');
      const { page, cspErrors } = await tab('#/endpoints/new');
      const url = endpointReceiver.endpointUrl();
      await page.getByLabel('URL').fill(url);
      await page.getByLabel('Description').fill('Contacts to the CRM');
      // Until the editor and the schema have loaded, a plain text box of the same name stands in for it.
      await page.getByText('Loading the editor with the schema…').waitFor({ state: 'detached' });
      const editor = page.getByRole('textbox', { name: 'Subscription document' });
      await editor.waitFor();
      // Errors as you type: a field the schema does not have is underlined and named.
      await typeInto(editor, 'subscription { contactChanged { id nmae } }');
      await page.locator('.cm-lintRange-error').first().waitFor();
      // Completion: the fields of Contact are offered.
      await typeInto(editor, 'subscription { contactChanged { id na } }');
      await editor.press('ArrowLeft');
      await editor.press('ArrowLeft');
      await editor.press('ArrowLeft');
      await editor.press('Control+Space');
      await page.getByRole('option', { name: /^name/ }).first().waitFor();
      await editor.press('Escape');
      await typeInto(editor, 'subscription($id: ID) { contactChanged(contactId: $id) { id name } }');
      await page.getByLabel('Variables (JSON)').fill(JSON.stringify({ id: contactId }));
      await page.getByRole('button', { name: 'Preview body' }).click();
      await expect.poll(() => page.getByLabel('Preview of the body').textContent()).toContain('"name": "Editor Preview AG"');
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      const secretNote = page.getByRole('status').filter({ hasText: 'shown this once' });
      const secret = (await secretNote.locator('code').textContent())!;
      expect(secret).toMatch(/^whsec_/);
      const { webhookEndpoints } = await t.ok(`{ webhookEndpoints { edges { node { url bodySchema } } } }`);
      endpointReceiver.expectEndpoint(url, webhookEndpoints.edges.find((e: { node: { url: string } }) => e.node.url === url).node.bodySchema);

      await t.ok(`mutation($id: ID!) { updateContact(id: $id, input: { name: "Editor Preview AG (renamed)" }) { id } }`, { id: contactId });
      await endpointReceiver.waitFor(1);
      const sent = endpointReceiver.requests[0]!;
      verifySignature(secret, sent);
      expect(sent.json).toEqual({ data: { contactChanged: { id: contactId, name: 'Editor Preview AG (renamed)' } } });

      await expect
        .poll(async () => (await t.ok(`{ webhookDeliveries(filter: { status: SUCCEEDED }, first: 500) { edges { node { endpoint { id } } } } }`)).webhookDeliveries.edges.length, {
          timeout: 15_000,
        })
        .toBeGreaterThan(0);
      await page.reload();
      await page.getByText('Body schema (JSON Schema of what this endpoint receives)').click();
      expect(await page.getByLabel('Body schema').textContent()).toContain('"contactChanged"');
      const deliveries = page.getByRole('table', { name: 'Deliveries of this endpoint' });
      await expect.poll(() => deliveries.textContent(), { timeout: 15_000 }).toContain('SUCCEEDED');
      await page.getByRole('button', { name: 'Send a test' }).click();
      await expect.poll(() => page.getByLabel('Test result').textContent(), { timeout: 15_000 }).toContain('"ok": true');
      await page.getByRole('button', { name: 'Rotate secret' }).click();
      await expect.poll(() => page.getByRole('status').filter({ hasText: 'shown this once' }).locator('code').textContent()).not.toBe(secret);

      await page.getByRole('link', { name: 'All endpoints' }).click();
      const list = page.getByRole('table', { name: 'Endpoints' });
      await expect.poll(() => list.textContent(), { timeout: 15_000 }).toContain('Contacts to the CRM');
      await expect.poll(() => list.textContent(), { timeout: 15_000 }).toContain('succeeded');

      await list.getByRole('link', { name: url }).click();
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Delete endpoint' }).click();
      await page.getByText('No endpoint yet.').waitFor();
      expect(cspErrors, cspErrors.join('\n')).toEqual([]);
    } finally {
      await endpointReceiver.stop();
    }
  });

  it('keeps the endpoint form answering when the editor is edited twice within one frame', async () => {
    const { page, cspErrors } = await tab('#/endpoints/new');
    await page.getByLabel('URL').waitFor();
    await page.getByText('Loading the editor with the schema…').waitFor({ state: 'detached' });
    const editor = page.getByRole('textbox', { name: 'Subscription document' });
    // With the page's timers and frames held, the delete and the typing that follows it both come
    // before the next frame, as they may on a busy machine.
    await page.clock.install();
    await page.clock.pauseAt(new Date('2030-01-01T00:00:00Z'));
    await typeInto(editor, 'subscription { folderChanged { id } }');
    expect(await editor.textContent({ timeout: 5_000 })).toBe('subscription { folderChanged { id } }');
    await page.clock.resume();
    await page.getByLabel('Variables (JSON)').fill('{}', { timeout: 5_000 });
    expect(cspErrors).toEqual([]);
  });

  it('hands what was typed in the plain box, with the focus and the caret, to the editor when it has loaded', async () => {
    const { page, cspErrors } = await tab('');
    // The schema's introspection, which the editor waits for, is held until the plain box has been typed in.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await context.route('**/graphql', async (route) => {
      if (route.request().postData()?.includes('IntrospectionQuery')) await held;
      await route.continue();
    });
    await page.goto('/console/#/endpoints/new');
    const standIn = page.getByRole('textbox', { name: 'Subscription document' });
    expect(await page.locator(`#${await standIn.getAttribute('aria-describedby')}`).textContent()).toBe('Loading the editor with the schema…');
    await standIn.fill('subscription { folderChanged { id } }');
    await standIn.press('Control+Home');
    await standIn.press('Control+ArrowRight');
    release();
    await page.getByText('Loading the editor with the schema…').waitFor({ state: 'detached' });
    await page.keyboard.insertText(' Folders');
    expect(await page.getByRole('textbox', { name: 'Subscription document' }).textContent()).toBe('subscription Folders { folderChanged { id } }');
    expect(cspErrors).toEqual([]);
  });

  it('runs a query and a subscription in the explorer, bundled and on this origin', async () => {
    const { page, cspErrors } = await tab('#/explorer');
    const explorer = page.frameLocator('iframe[title="GraphQL explorer"]');
    const run = explorer.getByRole('button', { name: /Execute query/ });
    await run.waitFor({ timeout: 30_000 });
    const query = explorer.locator('.graphiql-query-editor .monaco-editor textarea').first();
    const result = explorer.locator('.graphiql-response');

    await query.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('{ webhookSettings { offlineMode } }');
    // The editor closes a brace as it is typed: what it added after the cursor goes.
    await page.keyboard.press('Shift+Control+End');
    await page.keyboard.press('Delete');
    await run.click();
    await expect.poll(() => result.textContent(), { timeout: 15_000 }).toContain('offlineMode');

    await query.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('subscription { contactChanged { name } }');
    await page.keyboard.press('Shift+Control+End');
    await page.keyboard.press('Delete');
    await run.click();
    await expect.poll(() => t.app.broadcaster.fanout.size, { timeout: 15_000 }).toBeGreaterThan(0);
    await createContact(t, 'Seen-in-the-explorer');
    await expect.poll(() => result.textContent(), { timeout: 15_000 }).toContain('Seen-in-the-explorer');
    expect(cspErrors).toEqual([]);
  });

  it('lists the inspectors that exist, those made by the API too, with their requests', async () => {
    const { createInspector } = await t.ok(`mutation { createInspector { id url } }`);
    await fetch(createInspector.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"from":"the API"}' });
    const { page, cspErrors } = await tab('#/inspector');
    const table = page.getByRole('table', { name: 'Inspectors' });
    const row = table.getByRole('row', { name: new RegExp(createInspector.id) });
    await row.waitFor();
    expect(await row.textContent()).toContain('1');
    await row.getByRole('button', { name: `Show the requests of ${createInspector.id}` }).click();
    await page.getByRole('article', { name: /^POST request/ }).getByText('"from": "the API"').waitFor();
    expect(cspErrors).toEqual([]);
  });
});
