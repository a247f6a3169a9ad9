import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertReachable, outsideDirectory, placeData } from '../../src/db/embedded-postgres-placement.js';

const base = mkdtempSync(path.join(tmpdir(), 'reach-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Another user than the owner of the test's directories: what `postgres` is to a root-owned tree. */
const other = { uid: 4_000_000, gid: 4_000_000 };

describe('assertReachable: the embedded server as another OS user', () => {
  it('passes when every directory on the way lets others in', () => {
    chmodSync(base, 0o755);
    const data = path.join(base, 'open', '.data');
    mkdirSync(data, { recursive: true });
    expect(() => assertReachable(data, other)).not.toThrow();
  });

  it('names the first directory of mode 0700 on the way, and what to do', () => {
    const closed = path.join(base, 'closed');
    mkdirSync(path.join(closed, '.data'), { recursive: true });
    chmodSync(closed, 0o700);
    expect(() => assertReachable(path.join(closed, '.data'), other)).toThrow(
      `cannot enter ${closed} (mode 700). Let it in (chmod o+x ${closed}), run the service as another user, or set DATABASE_URL.`,
    );
  });
});

describe('placeData: where the cluster of a data directory lives', () => {
  const shared = path.join(base, 'shared');

  it('inside the data directory when the other user can reach it', () => {
    chmodSync(base, 0o755);
    const data = path.join(base, 'open', '.data');
    mkdirSync(data, { recursive: true });
    expect(placeData(data, other, shared)).toEqual({ pgdata: path.join(data, 'pg'), outside: undefined });
  });

  it('outside, one directory per data directory, when a directory of mode 0700 is on the way', () => {
    const data = path.join(base, 'closed', '.data');
    mkdirSync(data, { recursive: true });
    chmodSync(path.join(base, 'closed'), 0o700);
    const placement = placeData(data, other, shared);
    expect(placement.outside).toBe(outsideDirectory(data, shared));
    expect(placement.pgdata).toBe(path.join(placement.outside!, 'pg'));
    expect(outsideDirectory(path.join(base, 'closed', 'other-data'), shared)).not.toBe(placement.outside);
  });

  it('a cluster already inside an unreachable data directory is left there, with the message saying what to do', () => {
    const data = path.join(base, 'closed', 'old');
    mkdirSync(path.join(data, 'pg'), { recursive: true });
    expect(() => placeData(data, other, shared)).toThrow(`cannot enter ${path.join(base, 'closed')} (mode 700)`);
  });

  it('as the server user itself, always inside', () => {
    const data = path.join(base, 'closed', '.data');
    expect(placeData(data, undefined, shared)).toEqual({ pgdata: path.join(data, 'pg'), outside: undefined });
  });
});
