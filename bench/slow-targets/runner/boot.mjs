// Worker threads do not inherit the parent's --import loaders: register tsx here, then
// run the worker module named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const modules = { fuzz: './fuzz-worker.ts', measure: './measure-worker.ts', 'sync-measure': './sync-measure-worker.ts' };
await import(modules[workerData.kind]);
