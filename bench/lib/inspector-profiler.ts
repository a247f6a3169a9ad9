import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';

/**
 * Profiles a child process started with `--inspect=127.0.0.1:<port>` over the DevTools
 * protocol, for exactly the window between start() and stop(): unlike `--cpu-prof`, the
 * process's start-up (module loading, tsx compiling) stays out of the picture.
 */
export class InspectorProfiler {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return;
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (msg.error) w?.reject(new Error(msg.error.message));
      else w?.resolve(msg.result);
    });
  }

  static async attach(inspectPort: number): Promise<InspectorProfiler> {
    const targets = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const profiler = new InspectorProfiler(socket);
    await profiler.call('Profiler.enable');
    await profiler.call('Profiler.setSamplingInterval', { interval: 500 });
    return profiler;
  }

  private call<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  start(): Promise<unknown> {
    return this.call('Profiler.start');
  }

  /** Stops sampling and writes the profile as a .cpuprofile file (DevTools opens it). */
  async stop(file: string): Promise<void> {
    const { profile } = await this.call<{ profile: unknown }>('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
  }

  close(): void {
    this.socket.close();
  }
}
