// Entry of a bootstrap worker thread (see bootstrapRankingsParallel in resample.ts). Worker
// threads do not inherit the TypeScript loader of the thread that starts them, so this plain
// module registers it and loads the TypeScript worker.
import { tsImport } from 'tsx/esm/api';

await tsImport('./bootstrap-worker.ts', import.meta.url);
