import { describe, expect, it } from 'vitest';
import { parseWrkOutput, runWrk } from './wrk.ts';

const SAMPLE = `Running 5s test @ http://127.0.0.1:38289/
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   420.11us  120.50us   9.12ms   95.00%
    Req/Sec    23.42k     1.10k   25.01k    82.00%
  116540 requests in 5.00s, 14.11MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:  23307.91
Transfer/sec:      2.82MB
`;

describe('wrk output parsing', () => {
  it('reads the request rate, totals and error counts', () => {
    expect(parseWrkOutput(SAMPLE)).toEqual({
      requests: 116540,
      seconds: 5,
      requestsPerSec: 23307.91,
      socketErrors: 3,
      non2xx3xx: 7,
    });
  });

  it('returns null when there is no summary', () => {
    expect(parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused')).toBeNull();
  });

  it('reports a missing binary instead of throwing', async () => {
    const outcome = await runWrk({ url: 'http://127.0.0.1:1/', threads: 1, connections: 1, durationSeconds: 1, binary: '/nonexistent/wrk' });
    expect(outcome.kind).toBe('missing');
  });
});
