import { describe, expect, it } from 'vitest';
import { coverageFilterFor, importedPackages } from './target-packages.ts';

describe('importedPackages', () => {
  it('finds bare imports, scoped packages and requires, not the harness helpers or relative files', () => {
    const source = `
      import fc from 'fast-check';
      import YAML, { YAMLError } from 'yaml';
      import { defineScenario } from 'slo-harness';
      import { x } from './local.ts';
      import fs from 'node:fs';
      import * as p from '@scope/parser/sub';
      const j = require("json-logic-js");
      const lazy = await import('lazy-pkg');
    `;
    expect(importedPackages(source)).toEqual(['@scope/parser', 'json-logic-js', 'lazy-pkg', 'yaml']);
  });
});

describe('coverageFilterFor', () => {
  it('includes the named packages inside node_modules, not other dependencies', () => {
    const include = coverageFilterFor(['yaml']);
    expect(include('file:///repo/node_modules/yaml/dist/parse/lexer.js')).toBe(true);
    expect(include('file:///repo/node_modules/fast-check/lib/fast-check.js')).toBe(false);
    expect(include('node:internal/url')).toBe(false);
  });
});
