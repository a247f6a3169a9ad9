import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CHROMIUM } from '../test/browser/chromium-path.js';

/**
 * Before `npm test`: the console's browser tests drive Debian's Chromium (no browser download
 * is reachable from npm). On a machine without it where it can be installed (root with
 * apt-get, as in `docker run -it node:20`), it is installed now; elsewhere this says how, and
 * the browser tests fail saying the same.
 */
function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() === 0 && onPath('apt-get')) {
    process.stderr.write(`No Chromium at ${CHROMIUM}; installing Debian's chromium for the console's browser tests (about a minute)\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
      const { status } = spawnSync('apt-get', args, { stdio: 'inherit', env });
      if (status !== 0) {
        process.stderr.write(`apt-get ${args.join(' ')} failed (${status}); the browser tests will say what is missing\n`);
        break;
      }
    }
  } else {
    process.stderr.write(`No Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH, or the browser tests fail\n`);
  }
}
