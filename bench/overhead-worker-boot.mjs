// Worker threads do not inherit --import loaders: register tsx, then load the TS worker.
import { register } from 'tsx/esm/api';

register();
await import('./overhead-worker.ts');
