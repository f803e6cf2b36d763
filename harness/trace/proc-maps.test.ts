import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileOffsetOf, findMapping, isExecutableFileMapping, mergeExecutableFileMappings, parseProcMaps } from './proc-maps.ts';

const SAMPLE = [
  '00400000-00b6f000 r--p 00000000 fe:00 260386                             /usr/bin/node',
  '00b72000-025fe000 r-xp 00772000 fe:00 260386                             /usr/bin/node',
  '0563a000-0565c000 rw-p 05239000 fe:00 260386                             /usr/bin/node',
  '0670b000-069f8000 rw-p 00000000 00:00 0                                  [heap]',
  '7f1c3a600000-7f1c3a640000 rwxp 00000000 00:00 0 ',
  '7f1c3b028000-7f1c3b1bd000 r-xp 00028000 fe:00 1183                       /usr/lib/x86_64-linux-gnu/libc.so.6',
  '7f1c3b400000-7f1c3b401000 r-xp 00001000 fe:00 99                         /tmp/my addon.node (deleted)',
  '7ffd5e3e2000-7ffd5e3e4000 r-xp 00000000 00:00 0                          [vdso]',
  'not a maps line',
  '',
].join('\n');

describe('parseProcMaps', () => {
  const mappings = parseProcMaps(SAMPLE);

  it('parses every well-formed line into numbers, sorted by start', () => {
    expect(mappings).toHaveLength(8);
    expect(mappings[1]).toEqual({ start: 0xb72000, end: 0x25fe000, offset: 0x772000, perms: 'r-xp', path: '/usr/bin/node', deleted: false });
    expect(mappings.map((m) => m.start)).toEqual([...mappings.map((m) => m.start)].sort((a, b) => a - b));
    expect(mappings[4]?.path).toBe('');
  });

  it('keeps paths with spaces and marks deleted files', () => {
    const addon = mappings.find((m) => m.path === '/tmp/my addon.node');
    expect(addon?.deleted).toBe(true);
  });

  it('treats only executable file-backed mappings as symbol sources', () => {
    expect(mappings.filter(isExecutableFileMapping).map((m) => m.path)).toEqual([
      '/usr/bin/node',
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
      '/tmp/my addon.node',
    ]);
  });

  it('finds the mapping holding an address, and none in the gaps', () => {
    expect(findMapping(mappings, 0xb72000)?.perms).toBe('r-xp');
    expect(findMapping(mappings, 0x25fdfff)?.path).toBe('/usr/bin/node');
    expect(findMapping(mappings, 0x25fe000)).toBeUndefined();
    expect(findMapping(mappings, 0x7f1c3b028000 + 5)?.path).toContain('libc.so.6');
    expect(findMapping(mappings, 0x10)).toBeUndefined();
    expect(findMapping([], 0x10)).toBeUndefined();
  });

  it('converts an address to the file offset it was loaded from', () => {
    const libc = findMapping(mappings, 0x7f1c3b028010);
    expect(libc && fileOffsetOf(libc, 0x7f1c3b028010)).toBe(0x28010);
  });

  it('parses the test process\'s own maps, which include the node binary', () => {
    const own = parseProcMaps(readFileSync('/proc/self/maps', 'utf8'));
    expect(own.some((m) => isExecutableFileMapping(m) && m.path === process.execPath)).toBe(true);
  });
});

describe('mergeExecutableFileMappings', () => {
  it('unions captures, keeps one copy of repeated ranges and lets the later capture win conflicts', () => {
    const start = '00b72000-025fe000 r-xp 00772000 fe:00 1 /usr/bin/node\n7f0000000000-7f0000010000 r-xp 00000000 fe:00 2 /old.so';
    const stop = [
      '00b72000-025fe000 r-xp 00772000 fe:00 1 /usr/bin/node',
      '7f0000008000-7f0000020000 r-xp 00000000 fe:00 3 /new.so',
      '7f1000000000-7f1000001000 r-xp 00000000 fe:00 4 /late-addon.node',
    ].join('\n');
    const merged = mergeExecutableFileMappings([start, stop]);
    expect(merged.map((m) => m.path)).toEqual(['/usr/bin/node', '/new.so', '/late-addon.node']);
    expect(mergeExecutableFileMappings([start]).map((m) => m.path)).toEqual(['/usr/bin/node', '/old.so']);
  });
});
