/**
 * Every child process the harness starts is tracked in one registry, so that whatever way
 * the harness ends (normal exit, Ctrl-C, SIGTERM, an uncaught error, even SIGKILL) no child
 * outlives it. The registry lives in harness/io/process-registry.ts; this module keeps the
 * import path the runners and targets already use.
 */
export { trackChild, terminateAllChildren, trackedChildCount, runTag, RUN_TAG_ENV } from '../io/process-registry.ts';
