import { readFileSync } from 'node:fs';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
type CpuProfile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] };

export type ProfileShare = { name: string; ms: number; share: number };
export type ProfileSummary = { totalMs: number; byPackage: ProfileShare[]; byFunction: ProfileShare[] };

/** Where a frame's code lives: an npm package, a file of ours, Node itself, or V8's own buckets. */
function owner(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node';
  const ours = /\/(src|bench|test)\/(.+)$/.exec(url);
  return ours ? `${ours[1]}/${ours[2]}` : url;
}

/** Self time of a `node --cpu-prof` profile, by package and by function: where the time went. */
export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const msPerSample = totalMs / Math.max(1, profile.samples.length);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const n = hits.get(node.id) ?? 0;
    if (n === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = owner(url, functionName);
    byPackage.set(where, (byPackage.get(where) ?? 0) + n * msPerSample);
    const fn = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + n * msPerSample);
  }
  const ranked = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: Math.round((ms / totalMs) * 1000) / 10 }));
  return { totalMs: Math.round(totalMs), byPackage: ranked(byPackage), byFunction: ranked(byFunction) };
}

export function formatProfile(summary: ProfileSummary, busyOnly = true): string {
  const busy = (rows: ProfileShare[]) => (busyOnly ? rows.filter((r) => r.name !== '(idle)') : rows);
  const lines = [`CPU profile: ${summary.totalMs} ms wall`, '  by package (self time):'];
  for (const r of busy(summary.byPackage)) lines.push(`    ${String(r.share).padStart(5)}%  ${r.name}`);
  lines.push('  by function (self time):');
  for (const r of busy(summary.byFunction)) lines.push(`    ${String(r.share).padStart(5)}%  ${r.name}`);
  return lines.join('\n');
}
