// Worker threads do not inherit the parent's --import loaders: register tsx here so the
// probe worker and TypeScript scenario files load without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./probe-worker.ts');
