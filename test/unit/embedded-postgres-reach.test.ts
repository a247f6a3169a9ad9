import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertReachable } from '../../src/db/embedded-postgres.js';

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
