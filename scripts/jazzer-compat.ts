/**
 * Install step (postinstall): make the optional Jazzer.js engine's native addon
 * loadable on hosts with an older glibc/libstdc++ (see
 * harness/engine/jazzer/ensure-loadable.ts). Prints one line and always exits 0:
 * an install must not fail because of an optional engine; the builtin engine
 * is the fallback wherever Jazzer.js cannot load.
 */
import { ensureJazzerLoadable, type JazzerCompatResult } from '../harness/native/ensure-loadable.ts';

function describe(result: JazzerCompatResult): string {
  const where = result.addonPath ? ` [${result.addonPath}]` : '';
  const fallback = result.status === 'refused' || result.status === 'unsupported-platform' ? ' (builtin engine will be used)' : '';
  return `jazzer-compat: ${result.status}${fallback}: ${result.reason}${where}`;
}

async function main(): Promise<void> {
  try {
    console.log(describe(await ensureJazzerLoadable()));
  } catch (error) {
    // ensureJazzerLoadable does not throw by contract; this is belt and braces for the exit code.
    console.log(`jazzer-compat: refused (builtin engine will be used): ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exitCode = 0;
}

await main();
