import { cpus, loadavg, release, totalmem } from 'node:os';

export type Machine = { cpu: string; cores: number; memoryGiB: number; node: string; kernel: string; loadAverage: number[] };

/** What the figures came from: on a shared machine the load average matters as much as the CPU. */
export function machine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: release(),
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
  };
}
