/**
 * `npm start`: builds the web app if it is missing or older than its sources, generates demo
 * data when DATA_DIR holds none, then serves.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { generateDemo, defaultEndDate } from '../data/generator/generate.ts';
import { ROOT_DIR, type Config } from './config.ts';
import { configFromEnv, serve } from './main.ts';

function newestMtime(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) {
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

function hasParquet(dir: string): boolean {
  if (!existsSync(dir)) return false;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.parquet')) return true;
    if (
      entry.isDirectory() &&
      !entry.name.startsWith('_') &&
      hasParquet(path.join(dir, entry.name))
    )
      return true;
  }
  return false;
}

async function ensureWebBuilt(config: Config, log: pino.Logger) {
  const sources = path.join(ROOT_DIR, 'web');
  const index = path.join(config.webDir, 'index.html');
  if (!existsSync(sources)) return;
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(sources)) return;
  log.info({ webDir: config.webDir }, 'building the web app');
  const { build } = await import('vite');
  await build({
    configFile: path.join(ROOT_DIR, 'vite.config.ts'),
    build: { outDir: config.webDir },
    logLevel: 'warn',
  });
}

async function ensureData(config: Config, log: pino.Logger) {
  if (hasParquet(config.dataDir)) return;
  const options = { ...config.demo, endDate: defaultEndDate(new Date()), outDir: config.dataDir };
  log.info(options, 'DATA_DIR holds no data; generating demo data');
  await mkdir(config.dataDir, { recursive: true });
  const result = await generateDemo(options, { log: (message) => log.info(message) });
  log.info({ seconds: result.seconds, files: result.files.length }, 'demo data written');
}

const config = configFromEnv();
const log = pino({ level: config.logLevel });
await ensureWebBuilt(config, log);
await ensureData(config, log);
await serve(config);
