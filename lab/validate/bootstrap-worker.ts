/**
 * A bootstrap worker thread: evaluates resamples taken from the shared counter, reporting each,
 * then reports that it is done (see bootstrapRankingsParallel in resample.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  evaluateResamplesFromCounter,
  type BootstrapWorkerData,
  type BootstrapWorkerMessage,
} from './resample.ts';

const port = parentPort;
if (!port) throw new Error('bootstrap-worker.ts runs as a worker thread');
const post = (message: BootstrapWorkerMessage) => port.postMessage(message);
evaluateResamplesFromCounter(workerData as BootstrapWorkerData, () => post({ kind: 'rep' }));
post({ kind: 'done' });
