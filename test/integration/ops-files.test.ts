import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestApp, type TestApp } from '../helpers/app.js';

/**
 * The dashboard and the alert rules in ops/ name metrics by hand: a renamed metric would leave
 * an alert that never fires. Each name they use must be one the service exposes.
 */
const root = path.resolve('ops');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** Series Prometheus makes itself rather than scraping them. */
const PROMETHEUS_OWN = new Set(['up']);
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'le', 'inf', 'nan']);

/** The metric names of a PromQL expression: identifiers that are not functions, keywords, labels or durations. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  return [...stripped.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]!).filter((name) => !PROMQL_WORDS.has(name.toLowerCase()));
}

let t: TestApp;
let exposed: Map<string, string>;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
  const text = await (await fetch(`${t.url}/metrics`)).text();
  exposed = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
});
afterAll(async () => {
  await t.stop();
});

function isExposed(name: string): boolean {
  if (exposed.has(name) || PROMETHEUS_OWN.has(name)) return true;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  return base !== undefined && ['histogram', 'summary'].includes(exposed.get(base) ?? '');
}

it('alerts only on metrics that /metrics exposes, for each thing an operator must act on', () => {
  const rules = (parse(read('prometheus/alerts.yml')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);
  for (const rule of rules) {
    const names = metricNames(rule.expr);
    expect(names.length, rule.alert).toBeGreaterThan(0);
    for (const name of names) expect(isExposed(name), `${rule.alert}: ${name}`).toBe(true);
  }
  const watched = new Set(rules.flatMap((r) => metricNames(r.expr)));
  for (const name of ['database_up', 'webhook_channel_consecutive_failures', 'webhook_channel_disabled', 'webhook_oldest_pending_age_seconds', 'graphql_ws_slow_subscriber_closes_total']) {
    expect(watched).toContain(name);
  }
});

it('draws only metrics that /metrics exposes', () => {
  const dashboard = JSON.parse(read('grafana/dashboards/recordengine-bridge.json')) as { panels: { title: string; targets: { expr: string }[] }[] };
  expect(dashboard.panels.length).toBeGreaterThan(5);
  for (const panel of dashboard.panels) {
    for (const { expr } of panel.targets) {
      const names = metricNames(expr);
      expect(names.length, panel.title).toBeGreaterThan(0);
      for (const name of names) expect(isExposed(name), `${panel.title}: ${name}`).toBe(true);
    }
  }
});

it('wires Prometheus and Grafana into docker compose behind the monitoring profile, with files that exist', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, { profiles?: string[]; volumes?: string[] }> };
  for (const name of ['prometheus', 'grafana']) {
    const service = compose.services[name]!;
    expect(service.profiles).toEqual(['monitoring']);
    for (const volume of service.volumes ?? []) expect(existsSync(volume.split(':')[0]!), volume).toBe(true);
  }
  expect(compose.services.service!.profiles).toBeUndefined();
  const prometheus = parse(read('prometheus/prometheus.yml')) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
  expect(prometheus.scrape_configs[0]!.static_configs[0]!.targets).toEqual(['service:4000']);
});
