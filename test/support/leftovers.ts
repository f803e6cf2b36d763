/**
 * Leftover processes of a harness run, found by the run tag every process the run starts
 * carries in its environment (SLO_HARNESS_RUN_TAG, see harness/core/process-registry.ts).
 * /proc/<pid>/environ holds the environment a process was started with, so the tag is
 * there for descendants of the run however they were started, unless one cleared its env.
 */
import { readdir, readFile } from 'node:fs/promises';

export interface Leftover {
  pid: number;
  cmdline: string;
}

const TAG_VARIABLE = 'SLO_HARNESS_RUN_TAG';

/** The process state letter from /proc/<pid>/stat (after the last ')' of the command name). */
function stateOf(stat: string): string {
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** One process, or null when it is not tagged, is a zombie, or vanished while being read. */
async function tagged(pid: number, needle: Buffer): Promise<Leftover | null> {
  try {
    const environ = await readFile(`/proc/${pid}/environ`);
    // Whole entry match: NUL-separated, so a tag that is a prefix of another does not count.
    const at = environ.indexOf(needle);
    if (at < 0 || (at > 0 && environ[at - 1] !== 0)) return null;
    const end = at + needle.length;
    if (end < environ.length && environ[end] !== 0) return null;
    if (stateOf(await readFile(`/proc/${pid}/stat`, 'utf8')) === 'Z') return null;
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((s) => s !== '').join(' ');
    return { pid, cmdline };
  } catch {
    return null; // exited meanwhile, or not ours to read
  }
}

/** Every live (non-zombie) process whose environment has SLO_HARNESS_RUN_TAG=`tag`. */
export async function leftoverProcesses(tag: string): Promise<Leftover[]> {
  if (tag === '') throw new RangeError('leftoverProcesses: empty tag');
  const needle = Buffer.from(`${TAG_VARIABLE}=${tag}`);
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => pid !== process.pid);
  const found = await Promise.all(pids.map((pid) => tagged(pid, needle)));
  return found.filter((p): p is Leftover => p !== null);
}
