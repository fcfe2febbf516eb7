import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../server/app.ts';
import { parseConfig } from '../../server/config.ts';

/** A fresh temporary folder, removed by the returned cleanup. */
export async function tempDir(
  prefix = 'vitals-test-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Builds the real app over `dataDir` with a fresh state folder; close it when done. */
export async function buildTestApp(
  dataDir: string,
  env: Record<string, string> = {},
  deps: AppDeps = {},
): Promise<FastifyInstance> {
  const state = await tempDir('vitals-state-');
  const config = parseConfig({
    DATA_DIR: dataDir,
    STATE_DIR: state.dir,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await buildApp(config, deps);
  app.addHook('onClose', state.cleanup);
  return app;
}
