import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startApp, type App } from './app.js';
import { ensureConsoleBuilt } from '../console/build.js';

/**
 * Process entry: config → app; the first signal stops gracefully, a second one at once.
 * The signal handlers come before the start, so that a signal during the start (initdb,
 * migrations) still ends in a clean stop, after the start, rather than in an orphaned
 * embedded PostgreSQL.
 */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel, config.logFormat);
  let app: App | undefined;
  let stopRequested = false;
  const stop = (started: App) => {
    // Every wait of a stop is bounded, the database's by DATABASE_TIMEOUT; this bounds the whole,
    // whatever a part does: a process told to stop never outlives SHUTDOWN_TIMEOUT.
    setTimeout(() => {
      log.error({ shutdownTimeoutMs: config.shutdownTimeoutMs }, 'the graceful stop took longer than SHUTDOWN_TIMEOUT: exiting now');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    return started.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequested) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopRequested = true;
    log.info({ signal }, app ? 'stopping gracefully' : 'stopping gracefully once started');
    if (app) void stop(app);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  // Built before the start, so that the printed console URL serves at once; a failed build leaves the API up.
  await ensureConsoleBuilt().then(
    (result) => log.info({ result }, 'console bundle'),
    (err: unknown) => log.error({ err }, 'the console could not be built; /console answers 503'),
  );
  app = await startApp(config, log);
  process.stdout.write(`\nConsole: ${app.url}/console/ (sign in with an API token)\n`);
  // Printed even when a stop is waiting: the token is generated once and stored only hashed.
  if (app.generatedToken) {
    process.stdout.write(
      `\nAn admin API token was generated. It is shown only this once; keep it:\n\n  ${app.generatedToken}\n\n` +
        `Use it as: Authorization: Bearer ${app.generatedToken}\n\n`,
    );
  }
  if (stopRequested) await stop(app);
}

main().catch((err: unknown) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
