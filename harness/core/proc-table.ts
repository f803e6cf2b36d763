/**
 * Reading the Linux process table from /proc: which processes belong to a process group.
 * Synchronous on purpose: the process registry's 'exit' handler cannot await.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcEntry {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgid: number;
  /** One-letter state from /proc/<pid>/stat: R, S, D, Z (zombie), T... */
  state: string;
  /** Executable name (at most 15 characters, as the kernel keeps it). */
  comm: string;
}

/** Parses one /proc/<pid>/stat line; null when it is not in the expected shape. */
export function parseProcStat(line: string): ProcEntry | null {
  // comm is in parentheses and may itself contain spaces or ')': split at the last ')'.
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(line.slice(0, open).trim());
  const rest = line.slice(close + 2).split(' ');
  const [state, ppid, pgid] = rest;
  if (!Number.isInteger(pid) || state === undefined || ppid === undefined || pgid === undefined) return null;
  return { pid, ppid: Number(ppid), pgid: Number(pgid), state, comm: line.slice(open + 1, close) };
}

/** Every process visible in /proc (processes that exit while being read are skipped). */
export function readProcTable(): ProcEntry[] {
  const entries: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const entry = parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (entry) entries.push(entry);
    } catch {
      // The process exited between readdir and read.
    }
  }
  return entries;
}

/** Processes in a group. Zombies (exited, not yet reaped) are left out unless asked for. */
export function processGroupMembers(pgid: number, options: { includeZombies?: boolean } = {}): ProcEntry[] {
  return readProcTable().filter((p) => p.pgid === pgid && (options.includeZombies === true || p.state !== 'Z'));
}

/** True while the process exists and is not a zombie. */
export function processIsRunning(pid: number): boolean {
  try {
    const entry = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return entry !== null && entry.state !== 'Z';
  } catch {
    return false;
  }
}
