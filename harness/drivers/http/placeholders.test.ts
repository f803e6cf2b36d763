import { describe, expect, it } from 'vitest';
import { fillPlaceholders, referencedDependencies, unknownPlaceholders } from './placeholders.ts';

describe('argv placeholders', () => {
  it('fills {port}, {node} and {dep.<name>} element by element', () => {
    const argv = ['{node}', 'server.mjs', '--port', '{port}', '--db={dep.db}', '{dep.cache}'];
    expect(fillPlaceholders(argv, { port: 4100, node: '/bin/node', deps: { db: '127.0.0.1:5000', cache: '127.0.0.1:6000' } })).toEqual([
      '/bin/node',
      'server.mjs',
      '--port',
      '4100',
      '--db=127.0.0.1:5000',
      '127.0.0.1:6000',
    ]);
  });

  it('never splits or interprets a value: shell syntax stays one literal argument', () => {
    const filled = fillPlaceholders(['--x', '{dep.evil}'], { deps: { evil: '1.2.3.4:5; rm -rf / $(id)' } });
    expect(filled).toEqual(['--x', '1.2.3.4:5; rm -rf / $(id)']);
    expect(filled).toHaveLength(2);
  });

  it('leaves text without placeholders alone and rejects a missing value by name', () => {
    expect(fillPlaceholders(['a', '{notes}'], {})).toEqual(['a', '{notes}']);
    expect(() => fillPlaceholders(['{port}'], {})).toThrow(/\{port\}/);
    expect(() => fillPlaceholders(['{dep.db}'], { deps: {} })).toThrow(/"db"/);
  });

  it('lists referenced dependencies and unknown placeholders for validation', () => {
    expect(referencedDependencies(['{dep.a}', 'x{dep.b}y', '{dep.a}'])).toEqual(['a', 'b']);
    expect(unknownPlaceholders(['{port}', '{prot}', '{dep.x}', '{dep}'])).toEqual(['{prot}', '{dep}']);
  });
});
