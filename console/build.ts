import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIRST_PAGE_BUDGET, firstPageSize } from './first-page-size.js';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.sources');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

/** A digest of everything the bundle is made of, its lock file included. */
function sourcesDigest(): string {
  const hash = createHash('sha256');
  const inputs = [
    ...files(path.join(ROOT, 'src')),
    // The service's own modules that the console imports (the scope rule), or a change of them would leave the bundle stale.
    path.join(ROOT, '..', 'src', 'auth', 'scopes.ts'),
    path.join(ROOT, 'index.html'),
    path.join(ROOT, 'explorer.html'),
    path.join(ROOT, 'vite.config.ts'),
    path.join(ROOT, '..', 'package-lock.json'),
  ];
  for (const file of inputs.sort()) hash.update(file).update(readFileSync(file));
  return hash.digest('hex');
}

/**
 * Builds the console into console/dist unless the build there was made from the same
 * sources: `npm start` calls it, so the console needs no second command, and a start with
 * nothing changed costs a digest of a few files.
 */
export async function ensureConsoleBuilt(): Promise<'built' | 'up to date' | 'no sources'> {
  // A compiled build (dist/) carries no console sources.
  if (!existsSync(path.join(ROOT, 'src'))) return 'no sources';
  const digest = sourcesDigest();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === digest) return 'up to date';
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.ts') });
  writeFileSync(STAMP, digest);
  return 'built';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`console: ${await ensureConsoleBuilt()}\n`);
  const { bytes } = firstPageSize(DIST);
  process.stdout.write(`console: first page ${(bytes / 1024).toFixed(1)} KiB compressed (budget ${FIRST_PAGE_BUDGET / 1024} KiB)\n`);
  if (bytes > FIRST_PAGE_BUDGET) process.exitCode = 1;
}
