// How much of the machine other processes took while a measurement ran: the cluster's processes
// (their process groups, listed in <data dir>/pids) and this test process's own group are "ours";
// everything else the kernel counted busy is a neighbour's. Linux /proc only.
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface CpuSnapshot {
  at: number;
  busy: number;
  ours: number;
}

function stat(pid: string): { pgrp: number; ticks: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // after "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    return { pgrp: Number(f[2]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

export function cpuSnapshot(pidsFile: string): CpuSnapshot {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = line[0]! + line[1]! + line[2]! + line[5]! + line[6]! + line[7]!;
  const groups = new Set<number>([stat(String(process.pid))?.pgrp ?? process.pid]);
  try {
    for (const p of readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean)) groups.add(Number(p));
  } catch {
    // no cluster yet
  }
  let ours = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const s = stat(pid);
    if (s && groups.has(s.pgrp)) ours += s.ticks;
  }
  return { at: Date.now(), busy, ours };
}

/** Cores' worth of CPU that other processes used between two snapshots (0 when it cannot tell). */
export function neighbourCores(a: CpuSnapshot, b: CpuSnapshot): number {
  const seconds = (b.at - a.at) / 1000;
  if (seconds <= 0) return 0;
  return Math.max(0, (b.busy - a.busy - (b.ours - a.ours)) / TICKS_PER_SECOND / seconds);
}

/** Cores' worth of CPU the whole machine was busy between two snapshots. */
export function busyCores(a: CpuSnapshot, b: CpuSnapshot): number {
  const seconds = (b.at - a.at) / 1000;
  return seconds <= 0 ? 0 : (b.busy - a.busy) / TICKS_PER_SECOND / seconds;
}

export const CORES = cpus().length;
