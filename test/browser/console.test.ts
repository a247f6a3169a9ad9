import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, WebSocketRoute } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, webhookSettings } from '../helpers/webhooks.js';
import { TestWsClient } from '../helpers/ws-client.js';
import { connectBrowser, newContext, openConsole } from './console-page.js';

let t: TestApp;
let receiver: TestReceiver;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [t, receiver, browser] = await Promise.all([startTestApp(), new TestReceiver().start(), connectBrowser()]);
});
afterEach(async () => {
  await context?.close();
});
afterAll(async () => {
  await browser?.close();
  await receiver?.stop();
  await t?.stop();
});

/** A document in READY, made through the API as an extraction pipeline would. */
async function readyDocument(filename: string): Promise<string> {
  const contactId = await createContact(t, `Contact of ${filename}`);
  const { contact } = await t.ok(`query($id: ID!) { contact(id: $id) { folders { edges { node { id } } } } }`, { id: contactId });
  const folderId = contact.folders.edges[0].node.id;
  const { createDocument } = await t.ok(`mutation($folderId: ID!, $filename: String!) { createDocument(input: { folderId: $folderId, filename: $filename }) { id } }`, {
    folderId,
    filename,
  });
  const id = createDocument.id as string;
  await t.ok(`mutation($id: ID!) { recordExtraction(id: $id, input: { docType: "Invoice", confidenceScore: 91 }) { id } }`, { id });
  await t.ok(`mutation($id: ID!) { setDocumentStatus(id: $id, status: READY) { id } }`, { id });
  return id;
}

/** The console's live views have subscribed on the server: events and delivery attempts. */
async function liveViewsSubscribed(): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (t.app.broadcaster.fanout.size < 1 || t.app.deliveryFeed.fanout.size < 1) {
    if (Date.now() > deadline) throw new Error('the live tail did not subscribe');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Several pages, receivers and live views per test: generous limits for a loaded machine.
describe('console in a real browser', { timeout: 120_000 }, () => {
  it('signs in with the token (keyboard only), keeps it for the tab, and forgets it on sign out', async () => {
    context = await newContext(browser, t.url);
    const { page, cspErrors } = await openConsole(context);
    await page.getByLabel('API token').focus();
    await page.keyboard.type(`re_${'f'.repeat(40)}`);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toMatch(/not valid/);
    await page.getByLabel('API token').fill(t.token);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(cspErrors).toEqual([]);
  });

  it('opens the page its address names, with no other page drawn (and querying) first', async () => {
    context = await newContext(browser, t.url);
    const page = await context.newPage();
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/graphql') sent.push(r.postData() ?? '');
    });
    await page.goto('/console/#/deliveries');
    await page.getByLabel('API token').fill(t.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Delivery log' }).waitFor();
    expect(sent.filter((body) => body.includes('ConsoleDocuments'))).toEqual([]);
  });

  it('saves the Document URL, shows a refused URL beside its field with nothing saved, tests a channel, reveals and rotates the secret', async () => {
    context = await newContext(browser, t.url);
    const { page, cspErrors } = await openConsole(context, t.token, '#/settings');
    await page.getByLabel('Document URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await webhookSettings(t)).document.url).toBe(receiver.url);

    const before = await webhookSettings(t);
    await page.getByLabel('Contact URL').fill('http://169.254.169.254/latest/meta-data');
    await page.getByLabel('Document URL').fill('https://93.184.215.14/elsewhere');
    await page.getByRole('button', { name: 'Save' }).click();
    const error = page.locator('#contact-url-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/contact\.url "http:\/\/169\.254\.169\.254\/latest\/meta-data" is refused: .*cloud metadata/);
    expect(await page.getByLabel('Contact URL').getAttribute('aria-invalid')).toBe('true');
    expect(await webhookSettings(t)).toStrictEqual(before);

    const already = receiver.requests.length;
    await page.getByRole('button', { name: 'Send a test Document webhook' }).click();
    await page.getByText(/^Delivered: HTTP 200 in \d+ ms/).waitFor();
    await page.getByText(`Request: POST ${receiver.url}`).click();
    const sent = receiver.requests[already]!;
    expect(await page.getByLabel('Headers of the test Document webhook').textContent()).toContain(`webhook-id${sent.headers['webhook-id']}`);
    expect(JSON.parse((await page.getByLabel('Body of the test Document webhook').textContent())!)).toStrictEqual(sent.json);
    expect(await page.getByLabel("The receiver's answer to the test Document webhook").textContent()).toBe('{"received":true}');

    const { webhookSettings: secrets } = await t.ok('{ webhookSettings { signingSecret } }');
    await page.getByRole('button', { name: 'Reveal' }).click();
    expect(await page.getByLabel('Current signing secret').textContent()).toBe(secrets.signingSecret);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Rotate' }).click();
    await page.getByText('A new secret was made.').waitFor();
    const { webhookSettings: rotated } = await t.ok('{ webhookSettings { signingSecret previousSecretExpiresAt } }');
    expect(rotated.signingSecret).not.toBe(secrets.signingSecret);
    expect(await page.getByLabel('Current signing secret').textContent()).toBe(rotated.signingSecret);
    await page.getByText(/also carry a signature made with the previous secret until/).waitFor();
    expect(cspErrors).toEqual([]);
  });

  it('approves and exports with the Webhook Export button; the live tail and the delivery log show it; redeliver and replay (count first) send it again', async () => {
    await t.ok('mutation($url: String!) { configureWebhooks(input: { document: { url: $url, enabled: true } }) { document { url } } }', { url: receiver.url });
    const id = await readyDocument('invoice-browser.pdf');
    const already = receiver.requests.length;
    context = await newContext(browser, t.url);
    const tail = await openConsole(context, t.token, '#/live');
    await tail.page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await liveViewsSubscribed();

    const docs = await openConsole(context, t.token, '#/documents');
    await docs.page.getByLabel('Status').selectOption('READY');
    await docs.page.getByRole('button', { name: 'Approve invoice-browser.pdf' }).click();
    await docs.page.getByRole('button', { name: 'Webhook Export invoice-browser.pdf' }).click();
    await docs.page.getByRole('status').filter({ hasText: 'exported' }).waitFor();
    await receiver.waitFor(already + 1);
    const sent = receiver.requests[already]!;
    expect(sent.json).toMatchObject({ id: Number(id), status: 'Export' });

    const tailList = tail.page.getByRole('list', { name: /Events and delivery attempts/ });
    await tailList.getByText('DOCUMENT_EXPORTED').first().waitFor();
    await tailList.getByText(/attempt DOCUMENT_EXPORTED → DOCUMENT delivery #\d+: HTTP 200/).waitFor();

    const log = docs.page;
    await log.goto('/console/#/deliveries');
    // The time filters, in the browser's own time zone: nothing was queued after an hour from now.
    const localTime = (offsetMs: number) =>
      log.evaluate(`(() => { const d = new Date(Date.now() + ${offsetMs}); d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); return d.toISOString().slice(0, 19); })()`).then(String);
    await log.getByLabel('Queued since').fill(await localTime(3600e3));
    await log.getByText('No deliveries.').waitFor();
    await log.getByLabel('Queued since').fill(await localTime(-3600e3));
    await log.getByLabel('Entity id').fill(id);
    await log.getByRole('button', { name: 'Refresh' }).click();
    const row = log.getByRole('button', { name: /^#\d+$/ });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    await row.click();
    const details = log.locator('.details');
    await details.getByRole('cell', { name: '200' }).waitFor();
    expect(await details.getByLabel('Webhook body').textContent()).toContain('"filename": "invoice-browser.pdf"');
    await details.getByRole('button', { name: 'Redeliver' }).click();
    await receiver.waitFor(already + 2);
    expect(receiver.requests[already + 1]!.headers['webhook-id']).toBe(sent.headers['webhook-id']);

    // Replay since an hour ago, in the browser's own time zone: the count first, then the queue.
    await log.getByLabel('Since', { exact: true }).fill(await localTime(-3600e3));
    await log.getByRole('button', { name: 'Count' }).click();
    await log.getByText('1 events would be delivered again.').waitFor();
    expect(receiver.requests).toHaveLength(already + 2);
    await log.getByRole('button', { name: 'Queue 1' }).click();
    await log.getByText('1 deliveries queued.').waitFor();
    await receiver.waitFor(already + 3);
    expect(receiver.requests[already + 2]!.json).toMatchObject({ id: Number(id) });
    expect([...tail.cspErrors, ...docs.cspErrors]).toEqual([]);
  });

  it('pauses the live tail and resumes after its last event, with none missed', async () => {
    context = await newContext(browser, t.url);
    const { page } = await openConsole(context, t.token, '#/live');
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    // The tail starts from now, and a subscriber of a page closed before may still be counted: changes until one shows.
    let n = 0;
    await expect.poll(async () => (await createContact(t, `Before pause ${++n}`), page.getByText('CONTACT_CREATED').count()), { timeout: 20_000, interval: 300 }).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('status').filter({ hasText: 'Paused' }).waitFor();

    // Another client sees the event first, so the service has read it before the tail resumes.
    const ws = new TestWsClient(t.url, { token: t.token });
    const other = ws.subscribe<{ events: { id: string; payload: { name: string } } }>('subscription { events(types: [CONTACT_CREATED]) { id payload } }');
    const whilePaused = () => other.data.map((d) => d.events).filter((e) => e.payload.name.startsWith('While paused'));
    try {
      await expect.poll(async () => (await createContact(t, `While paused ${++n}`), whilePaused().length), { timeout: 20_000, interval: 300 }).toBeGreaterThan(0);
      const missed = whilePaused()[0]!.id;
      expect(await page.getByText(missed).count()).toBe(0);
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.getByText(missed).waitFor({ timeout: 15_000 });
    } finally {
      other.stop();
      await ws.dispose();
    }
  });

  it('resumes the live tail after a dropped connection from its last event, with none missed', async () => {
    context = await newContext(browser, t.url);
    // Every WebSocket of the page goes through here: it can be dropped, and refused while "down".
    let down = false;
    const sockets: WebSocketRoute[] = [];
    await context.routeWebSocket(/\/graphql$/, (ws) => {
      // 1012 (service restart): a close that graphql-ws retries.
      if (down) return ws.close({ code: 1012, reason: 'down' });
      ws.connectToServer();
      sockets.push(ws);
    });
    const { page } = await openConsole(context, t.token, '#/live');
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    let n = 0;
    await expect.poll(async () => (await createContact(t, `Before drop ${++n}`), page.getByText('CONTACT_CREATED').count()), { timeout: 20_000, interval: 300 }).toBeGreaterThan(0);

    down = true;
    for (const ws of sockets.splice(0)) await ws.close({ code: 1012, reason: 'dropped' });
    const ws = new TestWsClient(t.url, { token: t.token });
    const other = ws.subscribe<{ events: { id: string; payload: { name: string } } }>('subscription { events(types: [CONTACT_CREATED]) { id payload } }');
    const duringDrop = () => other.data.map((d) => d.events).filter((e) => e.payload.name.startsWith('During drop'));
    try {
      await expect.poll(async () => (await createContact(t, `During drop ${++n}`), duringDrop().length), { timeout: 20_000, interval: 300 }).toBeGreaterThan(0);
      const missed = duringDrop()[0]!.id;
      expect(await page.getByText(missed).count()).toBe(0);
      down = false;
      await page.getByText(missed).waitFor({ timeout: 25_000 });
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      other.stop();
      await ws.dispose();
    }
  });

  it('points a channel at an inspector URL and shows the payload the moment it arrives', async () => {
    context = await newContext(browser, t.url);
    const { page, cspErrors } = await openConsole(context, t.token, '#/inspector');
    await page.getByRole('button', { name: 'Create an inspector URL' }).click();
    const url = await page.getByLabel('Inspector URL').inputValue();
    expect(url).toMatch(new RegExp(`^${t.url}/inspect/insp_[0-9a-f]{24}$`));
    await page.getByRole('button', { name: 'Send Document webhooks here' }).click();
    await page.getByRole('status').filter({ hasText: 'now sends its webhooks to this inspector' }).waitFor();
    expect((await webhookSettings(t)).document.url).toBe(url);
    await page.getByText('No request yet').waitFor();

    await t.ok('mutation { testWebhook(channel: DOCUMENT) { ok } }');
    const request = page.getByRole('article', { name: /^POST request/ });
    await request.waitFor();
    expect(await request.getByText('webhook-signature').count()).toBe(1);
    expect(await request.getByLabel(/^Body of request/).textContent()).toContain('"doc_type": "Invoice"');
    expect(cspErrors).toEqual([]);
  });

  it('does the reference steps with an inspector in place of webhook.site: paste the URL, Save, export, see the payload', async () => {
    const id = await readyDocument('reference-steps.pdf');
    await t.ok('mutation($id: ID!) { setDocumentStatus(id: $id, status: APPROVED) { id } }', { id });
    context = await newContext(browser, t.url);
    const inspector = await openConsole(context, t.token, '#/inspector');
    await inspector.page.getByRole('button', { name: /inspector URL/ }).click();
    const url = await inspector.page.getByLabel('Inspector URL').inputValue();

    const settings = await openConsole(context, t.token, '#/settings');
    await settings.page.getByLabel('Document URL').fill(url);
    await settings.page.getByRole('button', { name: 'Save' }).click();
    await settings.page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await settings.page.goto('/console/#/documents');
    await settings.page.getByLabel('Status').selectOption('APPROVED');
    await settings.page.getByRole('button', { name: 'Webhook Export reference-steps.pdf' }).click();

    const request = inspector.page.getByRole('article', { name: /^POST request/ });
    await request.waitFor();
    const body = JSON.parse((await request.getByLabel(/^Body of request/).textContent())!);
    expect(body).toMatchObject({ id: Number(id), filename: 'reference-steps.pdf', status: 'Export' });
    expect(await request.getByText('x-recordengine-event').count()).toBe(1);
    expect([...inspector.cspErrors, ...settings.cspErrors]).toEqual([]);
  });

  it('holds its layout at 1280 and 390 pixels wide on every page, with content', async () => {
    // CONSOLE_SCREENSHOTS=<dir> also saves each page, for the README.
    const shots = process.env.CONSOLE_SCREENSHOTS;
    if (shots) mkdirSync(shots, { recursive: true });
    await readyDocument('receipt-layout.pdf');
    const endpointUrl = receiver.endpointUrl();
    const { createWebhookEndpoint } = await t.ok(`mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { bodySchema } } }`, {
      input: { url: endpointUrl, description: 'Exports to the ledger', subscription: 'subscription { documentExported(minConfidence: 80) { id filename status } }' },
    });
    receiver.expectEndpoint(endpointUrl, createWebhookEndpoint.endpoint.bodySchema);
    for (const width of [1280, 390]) {
      context = await newContext(browser, t.url, width);
      const { page } = await openConsole(context, t.token);
      const pages: [string, () => Promise<void>][] = [
        ['overview', () => page.getByRole('img', { name: /^Attempts per minute/ }).locator('canvas').waitFor()],
        ['settings', async () => undefined],
        ['documents', async () => undefined],
        ['deliveries', () => page.getByRole('button', { name: /^#\d+$/ }).first().click()],
        [
          'inspector',
          async () => {
            await page.getByRole('button', { name: /inspector URL/ }).click();
            await page.getByRole('button', { name: 'Send Document webhooks here' }).click();
            await page.getByRole('status').filter({ hasText: 'now sends its webhooks' }).waitFor();
            await t.ok('mutation { testWebhook(channel: DOCUMENT) { ok } }');
            await page.getByRole('article').first().waitFor();
          },
        ],
        [
          'live',
          async () => {
            await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
            // The live tail starts from now, and a subscriber of the page closed before may still be counted:
            // changes are made until one shows.
            let n = 0;
            await expect
              .poll(async () => (await createContact(t, `Layout ${width} ${++n}`), page.getByText('CONTACT_CREATED').count()), { timeout: 20_000, interval: 300 })
              .toBeGreaterThan(0);
          },
        ],
        ['endpoints', () => page.getByRole('table', { name: 'Endpoints' }).waitFor()],
        [
          'endpoint-editor',
          async () => {
            // The plain text box that stands in for the editor while it loads has the same name.
            await page.getByText('Loading the editor with the schema…').waitFor({ state: 'detached' });
            await page.getByRole('textbox', { name: 'Subscription document' }).waitFor();
          },
        ],
        ['explorer', () => page.frameLocator('iframe[title="GraphQL explorer"]').getByRole('button', { name: /Execute query/ }).waitFor({ timeout: 30_000 })],
      ];
      const paths: Record<string, string> = { 'endpoint-editor': 'endpoints/new' };
      for (const [name, fill] of pages) {
        await page.goto(`/console/#/${paths[name] ?? name}`);
        await page.locator('main h1').waitFor();
        // The explorer's frame never goes quiet for networkidle's 500 ms while its editor starts; it waits for its Run button instead.
        if (name !== 'explorer') await page.waitForLoadState('networkidle');
        await fill();
        const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
        expect(overflow, `${name} at ${width}px`).toBeLessThanOrEqual(0);
        if (name === 'overview') {
          // Each target's figures in the window as it opens, not past the edge of a table scrolled sideways.
          const cut = await page
            .getByRole('table', { name: 'Channels and endpoints' })
            .evaluate((table, edge) => [...table.querySelectorAll('td')].filter((td) => td.getBoundingClientRect().right > edge).map((td) => td.textContent), width);
          expect(cut, `overview figures past the window at ${width}px`).toEqual([]);
        }
        if (shots) await page.screenshot({ path: `${shots}/${name}-${width}.png`, fullPage: width > 600 });
      }
      await context.close();
    }
  });
});
