import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkRegistry,
  ensureProduction,
  listAudit,
  openStateDatabase,
  productionLog,
  productionModel,
  saveModel,
  type ProductionStep,
} from '../../../lab/registry/index.ts';
import { tempDir } from '../../helpers/app.ts';
import { SCHEMA, model, storeAuc } from './helpers.ts';

const CHILD = path.join(import.meta.dirname, 'crash-child.ts');
const ROOT_DIR = path.resolve(import.meta.dirname, '..', '..', '..');

/** A child process promoting in the state folder; `lines` collects what it printed. */
function startChild(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    cwd: ROOT_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  const waiters: { test: (line: string) => boolean; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.test(line))) waiter.resolve();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    lines,
    /** Resolves at the first line passing `test`; rejects if the child exits first. */
    waitFor: (test: (line: string) => boolean) =>
      new Promise<void>((resolve, reject) => {
        if (lines.some(test)) return resolve();
        waiters.push({ test, resolve });
        void exited.then(() => reject(new Error(`child exited: ${stderr}`)));
      }),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
      expect(child.signalCode, stderr).toBe('SIGKILL');
    },
  };
}

/** Reopens the state as a restarted server would and returns what it finds. */
async function inspect(stateDir: string) {
  const state = await openStateDatabase(stateDir, { mustExist: true });
  try {
    const { connection } = state;
    return {
      problems: await checkRegistry(connection, SCHEMA),
      production: (await productionModel(connection, SCHEMA))?.hash ?? null,
      log: await productionLog(connection, SCHEMA),
      audit: await listAudit(connection, SCHEMA),
    };
  } finally {
    state.close();
  }
}

/**
 * A crash at any moment of a production change leaves the old production model or the new one,
 * with the audit log and the production log in agreement. Child processes are killed with
 * SIGKILL (no cleanup, no flush beyond what DuckDB committed) and the state is then reopened.
 */
describe('production changes survive a crash at any moment', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const hashes = { a: '', b: '', c: '' };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('vitals-crash-'));
    const state = await openStateDatabase(dir);
    try {
      const { connection } = state;
      hashes.a = (await ensureProduction(connection, SCHEMA, model('a'), new Date())).hash;
      for (const name of ['b', 'c'] as const) {
        hashes[name] = (
          await saveModel(connection, SCHEMA, model(name), {
            by: 'test',
            status: 'candidate',
            now: new Date(),
          })
        ).hash;
      }
      for (const hash of Object.values(hashes)) await storeAuc(connection, hash, [0.7, 0.66, 0.74]);
    } finally {
      state.close();
    }
  });
  afterAll(() => cleanup());

  const before: ProductionStep[] = ['audit-written', 'production-written', 'statuses-written'];
  it.each(before)(
    'killed at %s: the old model stays production, nothing half-written',
    async (step) => {
      const child = startChild(['pause', dir, hashes.b, step]);
      await child.waitFor((line) => line === `paused ${step}`);
      await child.kill();
      const found = await inspect(dir);
      expect(found.problems).toEqual([]);
      expect(found.production).toBe(hashes.a);
      expect(found.log).toHaveLength(1);
      expect(found.audit.map((entry) => entry.action)).toEqual(['initial']);
    },
  );

  it('killed right after the commit: the new model is production, audited', async () => {
    const child = startChild(['pause', dir, hashes.b, 'committed']);
    await child.waitFor((line) => line === 'paused committed');
    await child.kill();
    const found = await inspect(dir);
    expect(found.problems).toEqual([]);
    expect(found.production).toBe(hashes.b);
    expect(found.audit[0]).toMatchObject({
      action: 'promote',
      fromHash: hashes.a,
      toHash: hashes.b,
      productionSeq: 2,
    });
  });

  it('killed at random moments of a promote/rollback loop: always consistent, commits kept', async () => {
    const deadline = Date.now() + 30_000;
    let kills = 0;
    let changes = 0;
    for (let round = 1; round <= 8 && Date.now() < deadline; round++) {
      const known = (await inspect(dir)).log.length;
      const child = startChild(['loop', dir, String(round)]);
      await child.waitFor((line) => line.startsWith('committed'));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 400));
      await child.kill();
      kills++;
      const reported = child.lines.filter((line) => line.startsWith('committed'));
      const last = Number(reported.at(-1)!.split(' ')[1]);
      const found = await inspect(dir);
      expect(found.problems, `round ${round}`).toEqual([]);
      expect(Object.values(hashes)).toContain(found.production);
      // Every change the child saw committed survived the kill; at most one more (committed
      // but killed before it printed) can be there.
      expect(last).toBeGreaterThan(known);
      expect(found.log.length).toBeGreaterThanOrEqual(last);
      expect(found.log.length).toBeLessThanOrEqual(last + 1);
      changes += found.log.length - known;
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(changes).toBeGreaterThan(kills);
  }, 60_000);
});
