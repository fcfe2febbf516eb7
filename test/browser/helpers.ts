/**
 * Browser-test helpers: build the web app when it is stale, run the real server in-process on a
 * dataset, drive Debian's Chromium with playwright-core, collect console and page errors, and
 * save screenshots under test-results/screenshots/.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { generateDemo } from '../../data/generator/generate.ts';
import { buildApp } from '../../server/app.ts';
import { createApiToken, findUser } from '../../server/auth/store.ts';
import { parseConfig } from '../../server/config.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB_DIR = path.join(ROOT, 'dist', 'web');
const WEB_INDEX = path.join(WEB_DIR, 'index.html');
/** What the web build is made from; a change to any of them makes dist/web stale. */
const BUILD_INPUTS = ['web', 'vite.config.ts', 'svelte.config.js', 'package-lock.json'];
const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');

// ---------------------------------------------------------------------------------------------
// The web build

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

function webBuildIsFresh(): boolean {
  if (!existsSync(WEB_INDEX)) return false;
  const built = statSync(WEB_INDEX).mtimeMs;
  return BUILD_INPUTS.every((input) => newestMtime(path.join(ROOT, input)) <= built);
}

/**
 * Runs `npx vite build` unless dist/web is newer than every source. Browser-test files may run
 * in parallel workers, so the build holds a lock and checks freshness again once it has it.
 */
export async function ensureWebBuild(): Promise<void> {
  if (webBuildIsFresh()) return;
  await withLock(path.join(ROOT, 'test-results', '.web-build.lock'), async () => {
    if (webBuildIsFresh()) return;
    // The test runner sets NODE_ENV=test, which a child build inherits and which makes Vite bundle
    // Svelte's development flavour (a quarter more JavaScript); tests and the bench measure what
    // ships.
    await run('npx', ['vite', 'build', '--logLevel', 'warn'], ROOT, { NODE_ENV: 'production' });
  });
}

const LOCK_STALE_MS = 5 * 60_000;

/** Takes the lock (an exclusive mkdir); false if someone else holds it. */
async function tryLock(lockDir: string): Promise<boolean> {
  try {
    await mkdir(lockDir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + LOCK_STALE_MS;
  while (!(await tryLock(lockDir))) {
    // A lock left behind by a killed run is older than any build takes.
    const taken = await stat(lockDir).catch(() => null);
    if (taken && Date.now() - taken.mtimeMs > LOCK_STALE_MS) {
      await rm(lockDir, { recursive: true, force: true });
    } else if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${lockDir}`);
    } else {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Data and server

/** A temporary folder, removed by the returned function. */
export async function tempDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `vitals-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Yesterday's date in UTC as YYYY-MM-DD. */
export function yesterdayUtc(now = new Date()): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - 86_400_000).toISOString().slice(0, 10);
}

/** The demo dataset the browser tests use: small, seeded, ending yesterday (UTC). */
export async function generateDemoData(outDir: string): Promise<void> {
  await generateDemo({ accounts: 300, days: 400, seed: 7, endDate: yesterdayUtc(), outDir });
}

/** The first admin of every browser-test server; `openPage` signs in as them. */
export const BROWSER_ADMIN = {
  username: 'admin',
  password: 'vitals-browser-test-password',
} as const;

export interface TestServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  app: FastifyInstance;
  /** Headers that sign a request from Node (`fetch`) in as the admin, with an API token. */
  authHeaders: { authorization: string };
  close(): Promise<void>;
}

/** The real server, in-process, on a free port, over `dataDir`, with a state folder of its own. */
export async function startServer(dataDir: string): Promise<TestServer> {
  const state = await tempDir('state');
  const config = parseConfig({
    DATA_DIR: dataDir,
    STATE_DIR: state.dir,
    WEB_DIR,
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    VITALS_ADMIN_USER: BROWSER_ADMIN.username,
    VITALS_ADMIN_PASSWORD: BROWSER_ADMIN.password,
  });
  const app = await buildApp(config);
  try {
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const token = await app.duckdb.withConnection(async (connection) => {
      const admin = await findUser(connection, app.state.schema, BROWSER_ADMIN.username);
      return createApiToken(connection, app.state.schema, admin!.id, 'browser tests', {
        actor: 'test',
      });
    });
    return {
      url,
      app,
      authHeaders: { authorization: `Bearer ${token.token}` },
      async close() {
        await app.close();
        await state.remove();
      },
    };
  } catch (error) {
    await app.close();
    await state.remove();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The browser

/** Debian's Chromium; never a browser downloaded by playwright. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** One browser per test file; each launch gets a fresh temporary profile. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install Debian's package: ` +
        'apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH).',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface PageSession {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught page errors, in order; a clean page leaves this empty. */
  errors: string[];
  close(): Promise<void>;
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** False opens the page signed out (default: signed in as BROWSER_ADMIN). */
  signedIn?: boolean;
}

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

/**
 * The session cookie of one sign-in per server (by base URL): the server allows 10 sign-ins a
 * minute from one address, fewer than a test file opens pages.
 */
const signedInState = new Map<string, Promise<StorageState>>();

/** Signs a context in through the API, as the sign-in page does, and returns its cookies. */
async function signIn(context: BrowserContext): Promise<StorageState> {
  const reply = await context.request.post('/api/auth/login', {
    data: { username: BROWSER_ADMIN.username, password: BROWSER_ADMIN.password },
  });
  if (!reply.ok()) throw new Error(`sign-in failed: ${reply.status()} ${await reply.text()}`);
  return context.storageState();
}

/**
 * A new page in a context of its own (no storage shared with other contexts except the session
 * cookie), signed in as BROWSER_ADMIN unless `signedIn: false`, with a fixed locale and time zone
 * so numbers and dates render the same everywhere, recording every error it logs.
 */
export async function openPage(
  browser: Browser,
  baseURL: string,
  options: PageOptions = {},
): Promise<PageSession> {
  const settings = {
    baseURL,
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: options.viewport ?? { width: 1280, height: 800 },
  };
  let context: BrowserContext;
  if (options.signedIn === false) {
    context = await browser.newContext(settings);
  } else {
    let state = signedInState.get(baseURL);
    if (!state) {
      state = browser.newContext(settings).then(async (first) => {
        try {
          return await signIn(first);
        } finally {
          await first.close();
        }
      });
      signedInState.set(baseURL, state);
      state.catch(() => signedInState.delete(baseURL));
    }
    context = await browser.newContext({ ...settings, storageState: await state });
  }
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const where = message.location().url;
      errors.push(`console error: ${message.text()}${where ? ` (${where})` : ''}`);
    }
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return { page, context, errors, close: () => context.close() };
}

/** Saves a full-page screenshot as test-results/screenshots/NAME.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
