import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_TOKEN } from './app.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type ServiceProcess = { child: ChildProcess; url: string };

/**
 * The service as it is deployed: its own process (`src/main.ts`), configured by its
 * environment only, on a port it picks itself. Resolves once it logs that it started; every
 * child started is added to `children`, and leaves it when it exits.
 */
export async function startServiceProcess(env: Record<string, string>, children: Set<ChildProcess>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', API_TOKEN: TEST_TOKEN, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const started = out.split('\n').find((line) => line.includes('"msg":"service started"'));
      if (started) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve((JSON.parse(started) as { url: string }).url);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the service exited with ${code} before it started:\n${stderr}${out}`)));
  });
  return { child, url };
}

/** One GraphQL request to a service process; its errors fail the caller. */
export async function serviceGql(service: ServiceProcess, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await fetch(service.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
