import { describe, expect, it } from 'vitest';
import { inspectorUrl, isOwnInspectorUrl } from '../../src/inspector/own-url.js';

const ID = 'insp_0123456789abcdef01234567';

describe('the service own inspector URLs', () => {
  it('are the base URL and /inspect/<id>, with or without a path in the base', () => {
    expect(inspectorUrl('https://bridge.example.com/', ID)).toBe(`https://bridge.example.com/inspect/${ID}`);
    expect(isOwnInspectorUrl(`https://bridge.example.com/inspect/${ID}`, 'https://bridge.example.com')).toBe(true);
    expect(isOwnInspectorUrl(`https://BRIDGE.example.com:443/inspect/${ID}`, 'https://bridge.example.com')).toBe(true);
    expect(isOwnInspectorUrl(`https://example.com/re/inspect/${ID}`, 'https://example.com/re/')).toBe(true);
    expect(isOwnInspectorUrl(`http://127.0.0.1:4000/inspect/${ID}`, 'http://127.0.0.1:4000')).toBe(true);
  });

  it('are nothing else: another origin, path, id form, a query, fragment or credentials', () => {
    const base = 'https://bridge.example.com/re';
    for (const url of [
      `http://bridge.example.com/re/inspect/${ID}`,
      `https://bridge.example.com:8443/re/inspect/${ID}`,
      `https://evil.example.com/re/inspect/${ID}`,
      `https://bridge.example.com/inspect/${ID}`,
      `https://bridge.example.com/re/inspect/${ID}/more`,
      `https://bridge.example.com/re/inspect/${ID}/../../graphql`,
      `https://bridge.example.com/re/inspect/${ID}?x=1`,
      `https://bridge.example.com/re/inspect/${ID}#x`,
      `https://user:pw@bridge.example.com/re/inspect/${ID}`,
      'https://bridge.example.com/re/inspect/insp_NOTHEX0123456789abcdef01',
      'https://bridge.example.com/re/graphql',
      'not a url',
    ]) {
      expect(isOwnInspectorUrl(url, base), url).toBe(false);
    }
    expect(isOwnInspectorUrl(`https://bridge.example.com/inspect/${ID}`, '')).toBe(false);
  });
});
