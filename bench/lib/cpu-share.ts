import { readFileSync, readdirSync } from 'node:fs';
import { cpuMsOf } from './children.js';

/**
 * Where a machine's CPU went during a step: the service under test (one or more instances),
 * PostgreSQL (every `postgres` process on the machine: backends, WAL writer, autovacuum) and the
 * harness (the load generator with its receivers, and its helper processes), besides the
 * machine as a whole from /proc/stat. All of them share the same cores, so a figure of the
 * service alone cannot say whether the box was full.
 */
export type CpuShares = {
  serviceMs: number;
  /**
   * The service's read and write system calls (/proc/<pid>/io: syscr, syscw). On a virtual
   * machine a write to a socket whose reader sleeps is among the dearest things a process does
   * (the kernel wakes the reader on another core), so their count per mutation explains much of
   * the CPU, and unlike the CPU it does not move with the machine's other load.
   */
  serviceReads: number;
  serviceWrites: number;
  postgresMs: number;
  harnessMs: number;
  machineMs: number;
  wallMs: number;
};

/** Readings taken when it starts; `used()` gives what each part used since. */
export class CpuMeter {
  private constructor(
    private readonly servicePids: readonly number[],
    private readonly helperPids: readonly number[],
    private readonly at: CpuShares,
  ) {}

  static start(servicePids: readonly number[], helperPids: readonly number[] = []): CpuMeter {
    return new CpuMeter(servicePids, helperPids, read(servicePids, helperPids));
  }

  /** CPU ms used by each part since the meter started. */
  used(): CpuShares {
    const now = read(this.servicePids, this.helperPids);
    return {
      serviceMs: now.serviceMs - this.at.serviceMs,
      serviceReads: now.serviceReads - this.at.serviceReads,
      serviceWrites: now.serviceWrites - this.at.serviceWrites,
      postgresMs: now.postgresMs - this.at.postgresMs,
      harnessMs: now.harnessMs - this.at.harnessMs,
      machineMs: now.machineMs - this.at.machineMs,
      wallMs: now.wallMs - this.at.wallMs,
    };
  }
}

function read(servicePids: readonly number[], helperPids: readonly number[]): CpuShares {
  const own = process.cpuUsage();
  const syscalls = servicePids.map(syscallsOf);
  return {
    serviceMs: servicePids.reduce((sum, pid) => sum + cpuMsOf(pid), 0),
    serviceReads: syscalls.reduce((sum, s) => sum + s.reads, 0),
    serviceWrites: syscalls.reduce((sum, s) => sum + s.writes, 0),
    postgresMs: postgresCpuMs(),
    harnessMs: (own.user + own.system) / 1000 + helperPids.reduce((sum, pid) => sum + (cpuMsOf(pid) || 0), 0),
    machineMs: machineBusyMs(),
    wallMs: performance.now(),
  };
}

/**
 * Every process named `postgres`, and what the ended ones used: a server's processes that come
 * and go (autovacuum workers, backends of closed connections) are counted by the postmaster
 * that waited for them, in its children's time.
 */
function postgresCpuMs(): number {
  let sum = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || commOf(entry) !== 'postgres') continue;
    const ms = cpuMsOf(Number(entry), { reaped: true });
    if (Number.isFinite(ms)) sum += ms;
  }
  return sum;
}

/** A process's read and write system calls so far, all its threads. */
function syscallsOf(pid: number): { reads: number; writes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  return { reads: Number(/^syscr: (\d+)/m.exec(io)?.[1] ?? 0), writes: Number(/^syscw: (\d+)/m.exec(io)?.[1] ?? 0) };
}

function commOf(pid: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The machine's busy time over all cores (user, system and interrupts; not idle, I/O wait or time stolen by the hypervisor), in ms. */
function machineBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields;
  return ((user + nice + system + irq + softirq) * 1000) / 100;
}
