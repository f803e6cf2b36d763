/**
 * The bpftrace program text and the parser of its output. Pure: no processes, no files.
 *
 * Output design: one record per sample, printed as it happens, each with its `nsecs` timestamp:
 *
 *   S <nsecs> <tid>            on-CPU sample (profile:hz)
 *   O <nsecs> <tid> <durNs> <state>  off-CPU interval (sched_switch out -> back in), nsecs =
 *                              switch-out, state = prev_state (runnable = preempted, else blocked)
 *   \t<frame>                  user frames, leaf first, then a line `K`, then kernel frames
 *   E                          end of record
 *   R <nsecs>                  once, when all probes are attached
 *
 * Printing per sample (rather than aggregating `@[ustack] = count()` in the kernel and printing
 * at exit) keeps exact sample times, which window attribution needs: a violating call lasts a few
 * ms to a few hundred ms, and a 10 ms time bucket would smear samples across neighbouring calls.
 * The cost is in bpftrace's own user-space process (formatting, symbol lookup through its cache),
 * not in the target: ~100 records/s at 99 Hz per busy thread, ~2.5 KB each. The BPF side (stack
 * walk at each tick) is the same either way. One printf per record keeps a record contiguous even
 * though bpftrace drains per-CPU buffers in turn.
 *
 * The program text is built only from validated integers: nothing from scenario input.
 */

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
  const lines = [
    `profile:hz:${hz} /pid == ${pid}/ { printf("S %llu %d\\n%s\\nK\\n%s\\nE\\n", nsecs, tid, ustack(perf), kstack(perf)); }`,
  ];
  if (options.offCpu) {
    // sched_switch runs in the context of the task leaving the CPU, so `pid`/`tid`/stacks are its own.
    lines.push(
      `tracepoint:sched:sched_switch /pid == ${pid}/ { @offts[tid] = nsecs; @offst[tid] = args->prev_state; @offu[tid] = ustack(perf); @offk[tid] = kstack(perf); }`,
      `tracepoint:sched:sched_switch /@offts[args->next_pid]/ {`,
      `  $d = nsecs - @offts[args->next_pid];`,
      `  if ($d >= ${minOffNs}) { printf("O %llu %d %llu %lld\\n%s\\nK\\n%s\\nE\\n", @offts[args->next_pid], args->next_pid, $d, @offst[args->next_pid], @offu[args->next_pid], @offk[args->next_pid]); }`,
      `  delete(@offts[args->next_pid]); delete(@offst[args->next_pid]); delete(@offu[args->next_pid]); delete(@offk[args->next_pid]);`,
      `}`,
    );
  }
  lines.push(`interval:s:${maxSeconds} { exit(); }`);
  // "Attaching N probes..." is printed before attaching. bpftrace attaches probes in program order,
  // so the first tick of this last probe means the sampling probes above are live.
  lines.push(`interval:ms:10 /@ready == 0/ { @ready = 1; printf("R %llu\\n", nsecs); }`);
  // Without clear(), bpftrace prints every map at exit: pending off-CPU stacks would be symbolised for nothing.
  lines.push(options.offCpu ? 'END { clear(@ready); clear(@offts); clear(@offst); clear(@offu); clear(@offk); }' : 'END { clear(@ready); }');
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
const SAMPLE_HEADER = /^S (\d+) (\d+)$/;
const OFFCPU_HEADER = /^O (\d+) (\d+) (\d+) (-?\d+)$/;
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

  /** Flushes a last line without newline; an unterminated record (bpftrace killed mid-print) is dropped. */
  end(): void {
    if (this.pending.length > 0) this.line(this.pending);
    this.pending = '';
    this.current = undefined;
  }

  private line(raw: string): void {
    if (raw.startsWith('\t') || raw.startsWith(' ')) {
      this.frame(raw);
      return;
    }
    const line = raw.trim();
    if (line.length === 0) return;
    if (line === 'K') this.section = 'kernel';
    else if (line === 'E') this.finish();
    else if (!this.header(line)) this.note(line);
  }

  private header(line: string): boolean {
    const sample = SAMPLE_HEADER.exec(line);
    const off = sample ? undefined : OFFCPU_HEADER.exec(line);
    if (sample?.[1] !== undefined && sample[2] !== undefined) {
      this.begin({ type: 'on-cpu', tNs: BigInt(sample[1]), tid: Number(sample[2]), user: [], kernel: [] });
      return true;
    }
    if (off?.[1] !== undefined && off[2] !== undefined && off[3] !== undefined) {
      const state = Number(off[4] ?? 0);
      this.begin({ type: 'off-cpu', tNs: BigInt(off[1]), tid: Number(off[2]), durationNs: Number(off[3]), offCpuReason: offCpuReason(state), user: [], kernel: [] });
      return true;
    }
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
