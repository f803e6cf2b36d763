/**
 * Rewrites the command-line reference in README.md (between <!-- cli-flags:start --> and
 * <!-- cli-flags:end -->) from the CLI contract, harness/cli/contract.ts.
 *   node --import tsx scripts/cli-docs.ts          rewrite it
 *   node --import tsx scripts/cli-docs.ts --check  exit 1 when it is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLI_DOCS_COMMAND, withRenderedReference } from '../harness/cli/readme-tables.ts';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

const before = readFileSync(README, 'utf8');
const after = withRenderedReference(before);
if (process.argv.includes('--check')) {
  if (after !== before) {
    process.stderr.write(`README.md: the command-line reference differs from harness/cli/contract.ts; run ${CLI_DOCS_COMMAND}\n`);
    process.exitCode = 1;
  }
} else if (after !== before) {
  writeFileSync(README, after);
  process.stdout.write('README.md: command-line reference rewritten\n');
} else {
  process.stdout.write('README.md: command-line reference already up to date\n');
}
