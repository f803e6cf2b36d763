import { describe, expect, it } from 'vitest';
import { EXIT, HarnessError, SIGNAL_EXIT } from './errors.ts';

class ExampleError extends HarnessError {}

describe('HarnessError', () => {
  it('exits with the usage code unless told otherwise and is named after its class', () => {
    const error = new ExampleError('bad input');
    expect(error.exitCode).toBe(EXIT.USAGE);
    expect(error.name).toBe('ExampleError');
    expect(error).toBeInstanceOf(Error);
    expect(new HarnessError('broken', EXIT.FAIL).exitCode).toBe(1);
  });

  it('keeps the cause', () => {
    const cause = new Error('ENOSPC');
    expect(new HarnessError('cannot write', EXIT.USAGE, { cause }).cause).toBe(cause);
  });
});

describe('exit codes', () => {
  it('are the documented ones', () => {
    expect(EXIT).toEqual({ PASS: 0, FAIL: 1, USAGE: 2, INTERRUPTED: 130 });
    expect(SIGNAL_EXIT).toEqual({ SIGINT: 130, SIGTERM: 143 });
  });
});
