import { describe, expect, it } from 'vitest';
import { addressProblem, validateWebhookUrl } from '../../src/webhooks/url-guard.js';

const PRIVATE = 'a loopback, private or link-local address (set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it)';
const METADATA = 'a cloud metadata address, which is never allowed';

describe('the address ranges of the webhook URL guard', () => {
  it('judges NAT64, SIIT and 6to4 addresses by the IPv4 address they carry', () => {
    for (const address of [
      '64:ff9b::7f00:1', // NAT64 of 127.0.0.1
      '64:ff9b::10.0.0.1',
      '::ffff:0:7f00:1', // SIIT of 127.0.0.1
      '::ffff:0:c0a8:101', // SIIT of 192.168.1.1
      '2002:7f00:1::1', // 6to4 of 127.0.0.1
      '2002:ac10:1::', // 6to4 of 172.16.0.1
    ]) {
      expect(addressProblem(address, false), address).toBe(`${address} is ${PRIVATE}`);
      expect(addressProblem(address, true), address).toBeUndefined();
    }
    for (const address of ['64:ff9b::808:808', '::ffff:0:808:808', '2002:808:808::1', '2001:4860:4860::8888']) {
      expect(addressProblem(address, false), address).toBeUndefined();
    }
  });

  it('never lets a translated address reach a cloud metadata endpoint', () => {
    for (const address of ['64:ff9b::a9fe:a9fe', '::ffff:0:a9fe:a9fe', '2002:a9fe:a9fe::1', '64:ff9b::169.254.170.2']) {
      expect(addressProblem(address, true), address).toBe(`${address} is ${METADATA}`);
    }
  });

  it('refuses local-use NAT64 and site-local addresses as private', () => {
    for (const address of ['64:ff9b:1::a00:1', '64:ff9b:1:ffff::808:808', 'fec0::1', 'feff:ffff::1']) {
      expect(addressProblem(address, false), address).toBe(`${address} is ${PRIVATE}`);
    }
  });

  it('refuses such an address in a webhook URL, naming it', async () => {
    await expect(validateWebhookUrl('url', 'http://[64:ff9b::127.0.0.1]:8080/hook', false)).rejects.toMatchObject({
      message: `url "http://[64:ff9b::127.0.0.1]:8080/hook" is refused: 64:ff9b::7f00:1 is ${PRIVATE}`,
      code: 'BAD_USER_INPUT',
      details: { field: 'url', value: 'http://[64:ff9b::127.0.0.1]:8080/hook' },
    });
  });
});
