// CPU time of this process, its reaped children and a live child, for the GPU benchmark (Linux /proc; null elsewhere).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | null = null;

/** The kernel's clock ticks per second (`getconf CLK_TCK`), 100 when it cannot be asked. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond =
        Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime, stime, cutime, cstime of `/proc/<pid>/stat`, in µs; null where there is no /proc. */
export function procCpuMicros(
  pid: number | 'self',
): { ownMicros: number; reapedChildrenMicros: number } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after "(comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const micros = (ticks: number | undefined): number =>
    ((ticks ?? 0) * 1_000_000) / clockTicksPerSecond();
  return {
    ownMicros: micros(fields[11]) + micros(fields[12]),
    reapedChildrenMicros: micros(fields[13]) + micros(fields[14]),
  };
}

/** This process's user + system CPU, µs (process.cpuUsage). */
export function selfCpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}
