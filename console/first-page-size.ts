import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** What the first page may weigh, compressed: its HTML and every script and style sheet it loads before it runs. */
export const FIRST_PAGE_BUDGET = 150 * 1024;

/**
 * The first page's compressed size (gzip, level 9): index.html and the assets it names (the
 * entry, its module preloads, its style sheet). The chunks loaded later by dynamic import (the
 * editor, the charts, the explorer) are not part of it.
 */
export function firstPageSize(dist: string): { bytes: number; files: string[] } {
  const html = readFileSync(path.join(dist, 'index.html'));
  const files = [...html.toString('utf8').matchAll(/(?:src|href)="\/console\/([^"]+)"/g)].map((m) => m[1]!);
  const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length, gzipSync(html, { level: 9 }).length);
  return { bytes, files };
}
