// Worker threads do not inherit the parent's --import loaders: register tsx here so the
// measured loop and TypeScript scenario files load without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./isolate-worker.ts');
