import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../../src/byte-size.js';

describe('parseByteSize', () => {
  it.each([
    ['1mb', 1024 * 1024],
    ['512kb', 512 * 1024],
    ['1.5MB', 1.5 * 1024 * 1024],
    ['2048', 2048],
    [' 100 b ', 100],
    ['1gb', 1024 ** 3],
  ])('%j is %i bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'lots', '1 megabyte', '-1mb', '1e3'])('refuses %j, naming it', (text) => {
    expect(() => parseByteSize(text)).toThrow(`"${text}" is not a size`);
  });
});
