import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { EventSettings } from '../domain/events-context.js';
import { claimDueRule } from './claim-rule.js';
import { runSchedule } from './schedule-run.js';
import { OutageLog } from '../db/outage-log.js';

/**
 * Runs SCHEDULE rules: every poll it claims the due rules one by one (claim-rule.ts: once per
 * interval across all instances) and runs each over its documents. runOnce() lets tests step
 * it without waiting for the clock.
 */
export class RuleScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopping = false;
  private current: Promise<number> | undefined;
  private readonly claims: OutageLog;

  constructor(
    private readonly orm: MikroORM,
    private readonly settings: EventSettings,
    private readonly opts: { pollIntervalMs: number },
    private readonly log: Logger,
  ) {
    this.claims = new OutageLog(log, 'claiming a due rule');
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedulePoll();
  }

  /**
   * Stops polling and waits for the run under way, which ends at its next document (the next
   * interval carries on). runOnce() still steps it afterwards.
   */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.stopping = true;
    try {
      await this.current;
    } finally {
      this.stopping = false;
    }
  }

  /** Runs every rule that is due now; resolves with how many ran. A call during a run joins it. */
  runOnce(): Promise<number> {
    this.current ??= this.runDue().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  private async runDue(): Promise<number> {
    let ran = 0;
    const stopping = () => this.stopping;
    while (!stopping()) {
      let rule;
      try {
        rule = await claimDueRule(this.orm.em.fork());
        this.claims.recovered();
      } catch (err) {
        this.claims.failed(err);
        return ran;
      }
      if (!rule) return ran;
      ran++;
      try {
        const result = await runSchedule(this.orm, rule, this.settings, stopping, this.log);
        this.log.debug({ ruleId: rule.id, ...result }, 'scheduled rule ran');
      } catch (err) {
        this.log.error({ err, ruleId: rule.id }, 'a scheduled rule failed; it runs again at its next interval');
      }
    }
    return ran;
  }

  private schedulePoll(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => this.schedulePoll());
    }, this.opts.pollIntervalMs);
    this.timer.unref();
  }
}
