import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { configureWebhooks, createContact, deliveries, pointChannel, webhookSettings } from '../helpers/webhooks.js';

/** A service as it runs in production: private networks refused. */
let strict: TestApp;
/** A second instance on the same database that allows them, with no worker of its own. */
let lenient: TestApp;
let receiver: TestReceiver;

const PUBLIC_URL = 'https://93.184.215.14/hooks/recordengine';

beforeAll(async () => {
  strict = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false', WEBHOOK_RETRY_SCHEDULE: '1h' });
  lenient = await startTestApp({ WEBHOOK_WORKER: 'false' }, strict.databaseUrl);
  receiver = await new TestReceiver().start();
  await strict.ok(`mutation { configureWebhooks(input: { document: { url: "${PUBLIC_URL}" }, bearerToken: "before" }) { bearerTokenSet } }`);
});
afterAll(async () => {
  await receiver.stop();
  await lenient.stop();
  await strict.stop();
});

async function expectRefused(input: Record<string, unknown>, why: RegExp, field: string) {
  const before = await webhookSettings(strict);
  const res = await configureWebhooks(strict, input);
  expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(res.errors?.[0]?.extensions?.field).toBe(field);
  expect(res.errors?.[0]?.message).toMatch(why);
  expect(res.data ?? null).toBeNull();
  expect(await webhookSettings(strict)).toStrictEqual(before);
}

describe('webhook URL rules', () => {
  it('refuses what is not an http(s) URL, saying why', async () => {
    await expectRefused({ contact: { url: 'ftp://93.184.215.14/in' } }, /contact\.url "ftp:\/\/93\.184\.215\.14\/in" is refused: the scheme ftp is not http or https/, 'contact.url');
    await expectRefused({ contact: { url: 'javascript:alert(1)' } }, /the scheme javascript is not http or https/, 'contact.url');
    await expectRefused({ folder: { url: 'not a url' } }, /folder\.url "not a url" is refused: it is not an absolute URL/, 'folder.url');
    await expectRefused({ folder: { url: '/webhook' } }, /it is not an absolute URL/, 'folder.url');
  });

  it('refuses credentials in the URL', async () => {
    await expectRefused({ contact: { url: 'https://user:secret@93.184.215.14/in' } }, /it carries credentials; use the bearer token instead/, 'contact.url');
  });

  it('refuses loopback, private and link-local addresses while WEBHOOK_ALLOW_PRIVATE_NETWORKS=false', async () => {
    const cases: [string, RegExp][] = [
      ['http://127.0.0.1:8080/in', /127\.0\.0\.1 is a loopback, private or link-local address \(set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it\)/],
      ['http://10.1.2.3/in', /10\.1\.2\.3 is a loopback, private or link-local address/],
      ['http://192.168.0.10/in', /192\.168\.0\.10 is a loopback, private or link-local address/],
      ['http://172.16.5.4/in', /172\.16\.5\.4 is a loopback/],
      ['http://[::1]:8080/in', /::1 is a loopback, private or link-local address/],
      ['http://[fe80::1]/in', /fe80::1 is a loopback, private or link-local address/],
      ['http://[::ffff:127.0.0.1]/in', /::ffff:7f00:1 is a loopback/],
      ['http://2130706433/in', /127\.0\.0\.1 is a loopback/],
      ['http://localhost:8080/in', /localhost is a loopback name \(set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it\)/],
      ['http://LocalHost./in', /localhost is a loopback name/],
    ];
    for (const [url, why] of cases) await expectRefused({ contact: { url } }, why, 'contact.url');
  });

  it('refuses cloud metadata endpoints always, even where private networks are allowed', async () => {
    for (const app of [strict, lenient]) {
      for (const [url, why] of [
        ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a cloud metadata address, which is never allowed/],
        ['http://metadata.google.internal/computeMetadata/v1/', /metadata\.google\.internal is a cloud metadata host, which is never allowed/],
        ['http://[::ffff:169.254.169.254]/', /a cloud metadata address/],
      ] as const) {
        const res = await configureWebhooks(app, { document: { url } });
        expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(res.errors?.[0]?.message).toMatch(why);
      }
    }
    expect((await webhookSettings(strict)).document.url).toBe(PUBLIC_URL);
  });

  it('refuses a URL or a bearer token past its length limit', async () => {
    const long = `https://93.184.215.14/${'a'.repeat(2100)}`;
    await expectRefused({ contact: { url: long } }, new RegExp(`is refused: it is ${long.length} characters long; the limit is 2048`), 'contact.url');
    await expectRefused({ bearerToken: 'x'.repeat(1025) }, /bearerToken is 1025 characters long; the limit is 1024/, 'bearerToken');
    await expectRefused({ bearerToken: 'two words' }, /bearerToken must be printable ASCII without spaces/, 'bearerToken');
  });

  it('changes nothing when one channel of several is refused', async () => {
    await expectRefused(
      {
        document: { url: 'https://93.184.215.15/other', enabled: false },
        contact: { url: 'https://93.184.215.14/contacts' },
        folder: { url: 'http://10.0.0.1/folders' },
        bearerToken: 'after',
        offlineMode: true,
      },
      /folder\.url "http:\/\/10\.0\.0\.1\/folders" is refused/,
      'folder.url',
    );
    const settings = await webhookSettings(strict);
    expect(settings).toMatchObject({ document: { url: PUBLIC_URL, enabled: true }, contact: { url: null }, folder: { url: null }, offlineMode: false });
  });

  it('accepts a public URL and normalises it', async () => {
    const { configureWebhooks: settings } = await strict.ok(`mutation { configureWebhooks(input: { contact: { url: "  HTTPS://93.184.215.14:443/Hooks  " } }) { contact { url } } }`);
    expect(settings.contact.url).toBe('https://93.184.215.14/Hooks');
    await strict.ok(`mutation { configureWebhooks(input: { contact: { url: null } }) { contact { url } } }`);
  });

  it('checks the address again when sending: a name that now resolves to a loopback address is refused (DNS rebinding)', async () => {
    // Saved through the instance that allows private networks; sent by the one that does not.
    const url = receiver.url.replace('127.0.0.1', 'localhost');
    await pointChannel(lenient, 'contact', url);
    const contactId = await createContact(lenient, 'Rebound');
    await strict.app.worker!.drain();
    const [delivery] = (await deliveries(strict, { channel: 'CONTACT', entityId: contactId })).edges.map((e) => e.node);
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({ ok: false, httpStatus: null });
    expect(delivery.attempts[0].error).toMatch(
      /^localhost resolves to (127\.0\.0\.1|::1), a loopback, private or link-local address \(set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it\); refused when connecting$/,
    );
    expect(receiver.requests).toHaveLength(0);
    await strict.ok(`mutation { configureWebhooks(input: { contact: { url: null } }) { contact { url } } }`);
  });
});
