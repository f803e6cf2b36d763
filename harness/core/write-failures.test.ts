import { afterEach, describe, expect, it } from 'vitest';
import { WriteError } from './atomic-file.ts';
import { describeLostWrites, lostWrites, MAX_NAMED_CORPUS_ENTRIES, recordLostWrite, resetLostWrites, savedOrLost } from './write-failures.ts';

const enospc = (): NodeJS.ErrnoException => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('lost writes', () => {
  afterEach(() => resetLostWrites());

  it('records a WriteError with its file and code, and any other error with what it has', () => {
    recordLostWrite('finding', 'finding abc (slow)', new WriteError('/c/violations/abc.input', enospc()));
    recordLostWrite('finding', 'finding def (error)', new TypeError('bug'));
    recordLostWrite('finding', 'finding ghi (slow)', enospc(), '/c/violations/ghi.input');
    expect(lostWrites()).toEqual([
      { kind: 'finding', what: 'finding abc (slow)', path: '/c/violations/abc.input', code: 'ENOSPC', reason: 'no space left on device' },
      { kind: 'finding', what: 'finding def (error)', path: null, code: 'EUNKNOWN', reason: 'bug' },
      { kind: 'finding', what: 'finding ghi (slow)', path: '/c/violations/ghi.input', code: 'ENOSPC', reason: 'no space left on device' },
    ]);
  });

  it('savedOrLost records write errors and answers false, but lets bugs through', async () => {
    await expect(savedOrLost('minimised finding', 'x', async () => undefined)).resolves.toBe(true);
    await expect(savedOrLost('minimised finding', 'y', () => Promise.reject(new WriteError('/f', enospc())))).resolves.toBe(false);
    await expect(savedOrLost('minimised finding', 'z', () => Promise.reject(new RangeError('bug')))).rejects.toThrow('bug');
    // A disk fault outside the atomic writer (a lock file, say) counts too.
    await expect(savedOrLost('finding', 'w', () => Promise.reject(enospc()))).resolves.toBe(false);
    expect(lostWrites().map((l) => l.what)).toEqual(['y', 'w']);
  });

  it('names findings one per line and groups corpus entries by folder, naming the first few', () => {
    recordLostWrite('finding', 'finding abc (slow)', new WriteError('/w/corpora/s/violations/abc.json', enospc()));
    for (let i = 0; i < MAX_NAMED_CORPUS_ENTRIES + 5; i++) recordLostWrite('corpus entry', `interesting input ${i}`, new WriteError(`/w/corpora/s/interesting/id${i}`, enospc()));
    const text = describeLostWrites(lostWrites(), '/w');
    expect(text.split('\n')).toEqual([
      `slo-harness: ${MAX_NAMED_CORPUS_ENTRIES + 6} file(s) could not be written; what was saved before is intact:`,
      '  - finding abc (slow): corpora/s/violations/abc.json (no space left on device, ENOSPC)',
      `  - ${MAX_NAMED_CORPUS_ENTRIES + 5} corpus entries in corpora/s/interesting: ${Array.from({ length: MAX_NAMED_CORPUS_ENTRIES }, (_, i) => `id${i}`).join(', ')} and 5 more (no space left on device, ENOSPC)`,
      expect.stringMatching(/^ {2}fix: free space/),
    ]);
    expect(describeLostWrites([])).toBe('');
  });
});
