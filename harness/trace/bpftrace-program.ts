/**
 * The bpftrace program text and the parser of its output. Pure: no processes, no files.
 *
 * Output design: every sample is one entry of an in-kernel map keyed by its own timestamp and
 * stacks, and the maps are printed in batches every FLUSH_MS (and once more at exit):
 *
 *   @on0[<nsecs>, <tid>, \n\t<user frames>\n, \n\t<kernel frames>\n]: 1     on-CPU sample (profile:hz)
 *   @off0[<nsecs>, <tid>, <durNs>, <state>, <user>, <kernel>]: 1      off-CPU interval (sched_switch
 *                              out -> back in), nsecs = switch-out, state = prev_state
 *   R <nsecs>                  once, when all probes are attached (a printf)
 *
 * Exact sample times are kept, which window attribution needs: a violating call lasts a few ms to
 * a few hundred ms, and a 10 ms time bucket would smear samples across neighbouring calls.
 * Why batches rather than one printf per sample: each printf is a perf-buffer event that wakes
 * bpftrace's user-space process, which then formats and writes the record. At 99 Hz on a busy
 * loopback HTTP server that cost 8.1% of its throughput on a 2-core machine, against 1.0% with
 * the same stacks collected into maps and printed twice a second (`npm run bench -- trace`,
 * paired slices; bpftrace's own CPU included). The two maps of each kind alternate (`@epoch`):
 * the probes fill one while the interval prints and clears the other, so no sample lands
 * between a print and its clear.
 *
 * The program text is built only from validated integers: nothing from scenario input.
 */

/** How often bpftrace prints (and empties) the sample maps. */
export const FLUSH_MS = 500;

export interface BpftraceProgramOptions {
  pid: number;
  hz: number;
  /** Record off-CPU intervals from sched_switch tracepoints (needs tracefs). */
  offCpu: boolean;
  /** Off-CPU intervals shorter than this are not printed (bounds the output under load). */
  minOffCpuUs: number;
  /** Safety net: bpftrace exits by itself after this long even if nobody stops it. */
  maxSeconds: number;
}

function requireInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

export function buildBpftraceProgram(options: BpftraceProgramOptions): string {
  const pid = requireInteger('pid', options.pid, 1, 2 ** 22);
  const hz = requireInteger('hz', options.hz, 1, 10_000);
  const minOffNs = requireInteger('minOffCpuUs', options.minOffCpuUs, 0, 60_000_000) * 1000;
  const maxSeconds = requireInteger('maxSeconds', options.maxSeconds, 1, 7 * 24 * 3600);
  // Samples go to the map of the current epoch; the flush below flips the epoch first.
  const into = (kind: 'on' | 'off', key: string): string =>
    `if (@epoch == 0) { @${kind}0[${key}] = count(); } else { @${kind}1[${key}] = count(); }`;
  const lines = [`profile:hz:${hz} /pid == ${pid}/ { ${into('on', 'nsecs, tid, ustack(perf), kstack(perf)')} }`];
  if (options.offCpu) {
    // sched_switch runs in the context of the task leaving the CPU, so `pid`/`tid`/stacks are its own.
    const off = 'args->next_pid';
    lines.push(
      `tracepoint:sched:sched_switch /pid == ${pid}/ { @offts[tid] = nsecs; @offst[tid] = args->prev_state; @offu[tid] = ustack(perf); @offk[tid] = kstack(perf); }`,
      `tracepoint:sched:sched_switch /@offts[${off}]/ {`,
      `  $d = nsecs - @offts[${off}];`,
      `  if ($d >= ${minOffNs}) { ${into('off', `@offts[${off}], ${off}, $d, @offst[${off}], @offu[${off}], @offk[${off}]`)} }`,
      `  delete(@offts[${off}]); delete(@offst[${off}]); delete(@offu[${off}]); delete(@offk[${off}]);`,
      `}`,
    );
  }
  const flush = (n: number): string => (options.offCpu ? `print(@on${n}); clear(@on${n}); print(@off${n}); clear(@off${n});` : `print(@on${n}); clear(@on${n});`);
  lines.push(`interval:ms:${FLUSH_MS} { @epoch = 1 - @epoch; if (@epoch == 1) { ${flush(0)} } else { ${flush(1)} } }`);
  lines.push(`interval:s:${maxSeconds} { exit(); }`);
  // "Attaching N probes..." is printed before attaching. bpftrace attaches probes in program order,
  // so the first tick of this last probe means the sampling probes above are live.
  lines.push(`interval:ms:10 /@ready == 0/ { @ready = 1; printf("R %llu\\n", nsecs); }`);
  // bpftrace prints every map left at exit: the sample maps, with the last batch, must be; the
  // bookkeeping maps (and pending off-CPU stacks, which would be symbolised for nothing) must not.
  const bookkeeping = options.offCpu ? ['@ready', '@epoch', '@offts', '@offst', '@offu', '@offk'] : ['@ready', '@epoch'];
  lines.push(`END { ${bookkeeping.map((m) => `clear(${m});`).join(' ')} }`);
  return lines.join('\n') + '\n';
}

/** One frame as bpftrace printed it with ustack(perf) / kstack(perf). */
export interface RawFrame {
  address: string;
  /** Undefined when bpftrace could not resolve the address. */
  symbol?: string;
  /** Object the symbol came from (`/usr/bin/node`, `/tmp/perf-1.map`, `[unknown]`); kernel frames have none. */
  module?: string;
}

export interface BpftraceRecord {
  type: 'on-cpu' | 'off-cpu';
  tNs: bigint;
  tid: number;
  durationNs?: number;
  offCpuReason?: OffCpuReason;
  /** Leaf first, as printed. */
  user: RawFrame[];
  kernel: RawFrame[];
}

const FRAME_LINE = /^([0-9a-fA-F]+) (.*?)(?:\+(\d+))?(?: \(([^()]*)\))?$/;
/** A map entry's first line: `@on0[<nsecs>, <tid>, ` or `@off1[<nsecs>, <tid>, <durNs>, <state>, `, then the rest of the key. */
const ENTRY_HEADER = /^@(on|off)[01]\[((?:-?\d+, )+)(.*)$/;
/** The end of a map entry, `]: <count>`, possibly after the separator of an empty kernel stack. */
const ENTRY_END = /^(?:, )?\]: \d+$/;
const ATTACHING = /^Attaching (\d+) probes?/;
const LOST = /^Lost (\d+) events/;
const READY = /^R (\d+)$/;

export type OffCpuReason = 'preempted' | 'blocked';

/**
 * sched_switch prev_state: the low 7 bits (TASK_REPORT) are zero when the task left the CPU while
 * still runnable (preempted: it waited for a CPU, e.g. under CPU stress); otherwise it blocked
 * (sleep on I/O, a timer, a lock). Kernels >= 4.14 report preemption as TASK_REPORT_MAX (0x80).
 */
export function offCpuReason(prevState: number): OffCpuReason {
  return (prevState & 0x7f) === 0 ? 'preempted' : 'blocked';
}

export function parseFrameLine(line: string): RawFrame | undefined {
  const match = FRAME_LINE.exec(line.trim());
  if (!match || match[1] === undefined) return undefined;
  const frame: RawFrame = { address: match[1] };
  const symbol = match[2] ?? '';
  if (symbol.length > 0 && !/^0x[0-9a-fA-F]+$/.test(symbol)) frame.symbol = symbol;
  if (match[4] !== undefined) frame.module = match[4];
  return frame;
}

/**
 * Incremental parser: feed stdout chunks as they arrive (a record may span chunks), then end().
 */
export class BpftraceOutputParser {
  readonly records: BpftraceRecord[] = [];
  attachedProbes: number | undefined;
  /** bpftrace `nsecs` when every probe was attached (see the `R` line). */
  readyAtNs: bigint | undefined;
  lostEvents = 0;
  /** Lines that fit no known shape (kept small: first few only, for diagnostics). */
  readonly unexpected: string[] = [];
  private pending = '';
  private current: BpftraceRecord | undefined;
  private section: 'user' | 'kernel' = 'user';

  /**
   * The `R` line, or any record (which proves the sampling probes live): under CPU contention the
   * `R` line can come out seconds after records from other CPUs' buffers.
   */
  get ready(): boolean {
    return this.readyAtNs !== undefined || this.records.length > 0;
  }

  feed(chunk: string): void {
    const text = this.pending + chunk;
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /**
   * Flushes a last line without newline; an unterminated entry (bpftrace killed mid-print) is
   * dropped. Records are put in time order: a map prints its entries in its own order.
   */
  end(): void {
    if (this.pending.length > 0) this.line(this.pending);
    this.pending = '';
    this.current = undefined;
    this.records.sort((a, b) => (a.tNs < b.tNs ? -1 : a.tNs > b.tNs ? 1 : 0));
  }

  private line(raw: string): void {
    if (raw.startsWith('\t')) {
      this.frame(raw);
      return;
    }
    const entry = ENTRY_HEADER.exec(raw);
    if (entry) {
      this.header(entry[1] === 'off' ? 'off-cpu' : 'on-cpu', (entry[2] ?? '').split(', ').filter((x) => x.length > 0), raw);
      this.keyRest(entry[3] ?? '');
      return;
    }
    if (this.current && this.keyRest(raw)) return;
    const line = raw.trim();
    if (line.length > 0 && !this.status(line)) this.note(line);
  }

  /**
   * What follows a stack inside a map key: `, ` (the kernel stack comes next), `]: N` (the entry
   * is complete) or `, ]: N` (the kernel stack was empty). False for anything else.
   */
  private keyRest(rest: string): boolean {
    if (rest === '') return true;
    if (rest === ', ') {
      this.section = 'kernel';
      return true;
    }
    if (ENTRY_END.test(rest)) {
      this.finish();
      return true;
    }
    return false;
  }

  /** The integer fields of an entry's key, as text: nsecs stays exact as a BigInt past 2^53 ns. */
  private header(type: BpftraceRecord['type'], fields: string[], raw: string): void {
    const [tNs, tid, durationNs, state] = fields;
    if (fields.length !== (type === 'on-cpu' ? 2 : 4) || tNs === undefined || tid === undefined) {
      this.current = undefined;
      this.note(raw);
      return;
    }
    const record: BpftraceRecord = { type, tNs: BigInt(tNs), tid: Number(tid), user: [], kernel: [] };
    if (type === 'off-cpu') {
      record.durationNs = Number(durationNs ?? 0);
      record.offCpuReason = offCpuReason(Number(state ?? 0));
    }
    this.begin(record);
  }

  /** Lines outside the sample maps: attach count, ready time, lost events. */
  private status(line: string): boolean {
    const ready = READY.exec(line);
    if (ready?.[1] !== undefined) {
      this.readyAtNs = BigInt(ready[1]);
      return true;
    }
    const attaching = ATTACHING.exec(line);
    if (attaching?.[1] !== undefined) {
      this.attachedProbes = Number(attaching[1]);
      return true;
    }
    const lost = LOST.exec(line);
    if (lost?.[1] !== undefined) {
      this.lostEvents += Number(lost[1]);
      return true;
    }
    return false;
  }

  private begin(record: BpftraceRecord): void {
    this.current = record;
    this.section = 'user';
  }

  private frame(line: string): void {
    const frame = parseFrameLine(line);
    if (!this.current || !frame) {
      this.note(line);
      return;
    }
    (this.section === 'user' ? this.current.user : this.current.kernel).push(frame);
  }

  private finish(): void {
    if (this.current) this.records.push(this.current);
    this.current = undefined;
  }

  private note(line: string): void {
    if (this.unexpected.length < 20) this.unexpected.push(line);
  }
}

export function parseBpftraceOutput(text: string): BpftraceOutputParser {
  const parser = new BpftraceOutputParser();
  parser.feed(text);
  parser.end();
  return parser;
}
