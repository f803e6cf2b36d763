/**
 * bpftrace records -> StackSample[] with clean frame names, resolving the user-space addresses
 * still bare against the target's perf map (JIT code). Pure. bpftrace runs without user
 * symbols; native frames were named before this step (native-symbols.ts via bpftrace.ts).
 */
import type { BpftraceRecord, RawFrame } from './bpftrace-program.ts';
import type { StackSample } from './folded.ts';
import { cleanKernelSymbol, cleanUserSymbol, type CleanFrameOptions } from './frames.ts';
import { lookupPerfMap, parseHexAddress, type PerfMap } from './perf-map.ts';

export interface SymbolizeOptions extends CleanFrameOptions {
  /** The target's /tmp/perf-<pid>.map, parsed; frames bpftrace left as addresses are looked up here. */
  perfMap?: PerfMap;
  /** Include kernel frames (suffix `_[k]`) above the user frames. Default true. */
  kernelFrames?: boolean;
}

export interface SymbolizeStats {
  userFrames: number;
  /** User frames still bare addresses when they got here (JIT code, or native code no ELF symbol named). */
  unresolvedByBpftrace: number;
  /** Of those, resolved through the perf map. */
  resolvedFromPerfMap: number;
  /** Of those, resolved because bpftrace named the same address in another record. */
  resolvedFromOtherRecords: number;
}

/** Converts records; names are interned so identical frames share one string. */
export function recordsToSamples(records: readonly BpftraceRecord[], options: SymbolizeOptions = {}): { samples: StackSample[]; stats: SymbolizeStats } {
  const stats: SymbolizeStats = { userFrames: 0, unresolvedByBpftrace: 0, resolvedFromPerfMap: 0, resolvedFromOtherRecords: 0 };
  const known = namedAddresses(records);
  const names = new Map<string, string>();
  const intern = (key: string, make: () => string): string => {
    let name = names.get(key);
    if (name === undefined) {
      name = make();
      names.set(key, name);
    }
    return name;
  };
  const userName = (frame: RawFrame): string => {
    stats.userFrames++;
    if (frame.symbol !== undefined) return intern(`u:${frame.symbol}`, () => cleanUserSymbol(frame.symbol, options));
    stats.unresolvedByBpftrace++;
    const learned = known.get(frame.address);
    if (learned !== undefined) {
      stats.resolvedFromOtherRecords++;
      return intern(`u:${learned}`, () => cleanUserSymbol(learned, options));
    }
    const resolved = resolveFromPerfMap(frame.address, options.perfMap);
    if (resolved !== undefined) stats.resolvedFromPerfMap++;
    return intern(`u:${resolved ?? '0x'}`, () => cleanUserSymbol(resolved, options));
  };
  const kernelName = (frame: RawFrame): string => intern(`k:${frame.symbol ?? ''}`, () => cleanKernelSymbol(frame.symbol));

  const samples: StackSample[] = records.map((record) => {
    const frames: string[] = [];
    for (let i = record.user.length - 1; i >= 0; i--) {
      const f = record.user[i];
      if (f !== undefined) frames.push(userName(f));
    }
    if (options.kernelFrames !== false) {
      for (let i = record.kernel.length - 1; i >= 0; i--) {
        const f = record.kernel[i];
        if (f !== undefined) frames.push(kernelName(f));
      }
    }
    const sample: StackSample = { tNs: record.tNs, frames, tid: record.tid, onCpu: record.type === 'on-cpu' };
    if (record.durationNs !== undefined) sample.durationNs = record.durationNs;
    if (record.offCpuReason !== undefined) sample.offCpuReason = record.offCpuReason;
    return sample;
  });
  return { samples, stats };
}

/**
 * Addresses named somewhere in the output (by bpftrace when it runs with user symbols, whose
 * cache was seen here to stop resolving /usr/bin/node addresses part-way through a capture, or
 * by the native step): return addresses recur across samples, so earlier names resolve later
 * bare ones.
 */
function namedAddresses(records: readonly BpftraceRecord[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const record of records) {
    for (const frame of record.user) if (frame.symbol !== undefined && !names.has(frame.address)) names.set(frame.address, frame.symbol);
  }
  return names;
}

function resolveFromPerfMap(address: string, perfMap: PerfMap | undefined): string | undefined {
  if (!perfMap) return undefined;
  const value = parseHexAddress(address);
  if (value === undefined) return undefined;
  return lookupPerfMap(perfMap, value)?.name;
}
