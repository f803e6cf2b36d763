// Parent-death guard: the watchdog that kills what the harness started when the harness
// dies in a way that runs none of its own code (SIGKILL, the OOM killer, a crash in native
// code). Plain JavaScript, started with plain `node` (no tsx): it must be up in a few ms.
//
// Protocol, one line per message on stdin (a pipe whose write end only the harness holds):
//   +<target>   kill(<target>) when the harness dies; a negative target is a process group
//   -<target>   forget it (the harness saw it end)
// End of file on stdin means the harness is gone, however it went: SIGTERM every known
// target, wait briefly for them to go, SIGKILL what is left, exit. The guard leads its own
// session (spawned detached), so a terminal's Ctrl-C or hang-up does not reach it.
//
// Besides the groups it was told about, it ends every process whose environment says
// SLO_HARNESS_OWNER=<argv[2]>: the harness process's own id, inherited by whatever it
// started, including what code run inside the harness process started without the
// registry (a scenario module that spawns a child while it is being loaded) and children
// that left their group (setsid). An id per harness process, not the run tag: a nested
// harness (or a second run given the same tag) must not end its parent's processes.
import { readdirSync, readFileSync } from 'node:fs';

const OWNER = process.argv[2] ?? '';
const OWNER_ENTRY = Buffer.from(`SLO_HARNESS_OWNER=${OWNER}`);
const GRACE_MS = 400;
const POLL_MS = 20;
const targets = new Set();
let pending = '';
let shuttingDown = false;

function apply(line) {
  const match = /^([+-])(-?\d+)$/.exec(line.trim());
  if (!match) return;
  const target = Number(match[2]);
  if (!Number.isSafeInteger(target) || target === 0 || target === -1) return; // never "everyone"
  if (match[1] === '+') targets.add(target);
  else targets.delete(target);
}

function signal(target, name) {
  try {
    process.kill(target, name);
  } catch {
    // ESRCH: already gone.
  }
}

/** Live (non-zombie) pids and process groups, from one pass over /proc. */
function liveIds() {
  const pids = new Set();
  const groups = new Set();
  let names = [];
  try {
    names = readdirSync('/proc');
  } catch {
    return null; // no /proc: the caller falls back to the grace period alone
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      pids.add(Number(name));
      groups.add(Number(fields[2]));
    } catch {
      // Exited while being read.
    }
  }
  return { pids, groups };
}

/** True when the environment block has exactly the entry (NUL-separated, not a prefix of another). */
function hasEntry(environ, entry) {
  for (let at = environ.indexOf(entry); at >= 0; at = environ.indexOf(entry, at + 1)) {
    const end = at + entry.length;
    if ((at === 0 || environ[at - 1] === 0) && (end === environ.length || environ[end] === 0)) return true;
  }
  return false;
}

/** Pids of live processes started by the harness (see the header), this guard excluded. */
function ownedPids() {
  if (OWNER === '') return [];
  const owned = [];
  let names = [];
  try {
    names = readdirSync('/proc');
  } catch {
    return owned;
  }
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) continue;
    try {
      if (hasEntry(readFileSync(`/proc/${name}/environ`), OWNER_ENTRY)) owned.push(pid);
    } catch {
      // Exited while being read, or not ours to read.
    }
  }
  return owned;
}

function anyAlive() {
  const live = liveIds();
  if (live === null) return true;
  for (const target of targets) {
    if (target < 0 ? live.groups.has(-target) : live.pids.has(target)) return true;
  }
  return false;
}

function shutdown() {
  if (shuttingDown) return;
  shuttingDown = true;
  if (pending !== '') apply(pending);
  for (const target of targets) signal(target, 'SIGTERM');
  for (const pid of ownedPids()) signal(pid, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  const poll = () => {
    if ((anyAlive() || ownedPids().length > 0) && Date.now() < deadline) {
      setTimeout(poll, POLL_MS);
      return;
    }
    for (const target of targets) signal(target, 'SIGKILL');
    for (const pid of ownedPids()) signal(pid, 'SIGKILL');
    process.exit(0);
  };
  poll();
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let newline = pending.indexOf('\n');
  while (newline >= 0) {
    apply(pending.slice(0, newline));
    pending = pending.slice(newline + 1);
    newline = pending.indexOf('\n');
  }
});
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.on('error', shutdown);
