import { beforeEach, describe, expect, it, vi } from 'vitest';
import { bootstrapRankingsParallel, toRanking } from '../../../lab/validate/resample.ts';

/** Worker threads that fail as told, to check that a failure rejects and every worker ends. */
const fake = vi.hoisted(() => ({
  behaviour: 'error' as 'error' | 'exit',
  started: 0,
  terminated: 0,
}));

vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:worker_threads')>();
  const { EventEmitter } = await import('node:events');
  class FailingWorker extends EventEmitter {
    constructor() {
      super();
      fake.started++;
      setTimeout(() => {
        if (fake.behaviour === 'error') this.emit('error', new Error('cannot load the module'));
        this.emit('exit', 1);
      }, 5);
    }
    terminate() {
      fake.terminated++;
      return Promise.resolve(0);
    }
  }
  return { ...actual, Worker: FailingWorker };
});

function input() {
  const n = 2000;
  const risk = Float64Array.from({ length: n }, (_, i) => n - i);
  const label = Uint8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0));
  const account = Int32Array.from({ length: n }, (_, i) => i % 300);
  return {
    ranking: toRanking(risk, label, account),
    accounts: Int32Array.from({ length: 300 }, (_, a) => a),
  };
}

describe('account bootstrap on worker threads that fail', () => {
  beforeEach(() => {
    fake.started = 0;
    fake.terminated = 0;
  });

  it('rejects with the worker error and ends every worker', async () => {
    fake.behaviour = 'error';
    const { ranking, accounts } = input();
    await expect(
      bootstrapRankingsParallel([ranking], accounts, { reps: 10, seed: 1, threads: 3, minWork: 0 }),
    ).rejects.toThrow('bootstrap worker failed: cannot load the module');
    expect(fake.started).toBe(3);
    expect(fake.terminated).toBe(3);
  });

  it('rejects when a worker exits before finishing', async () => {
    fake.behaviour = 'exit';
    const { ranking, accounts } = input();
    await expect(
      bootstrapRankingsParallel([ranking], accounts, { reps: 10, seed: 1, threads: 2, minWork: 0 }),
    ).rejects.toThrow('bootstrap worker exited (code 1) before finishing');
    expect(fake.terminated).toBe(2);
  });

  it('starts no worker for small work', async () => {
    const { ranking, accounts } = input();
    const result = await bootstrapRankingsParallel([ranking], accounts, {
      reps: 10,
      seed: 1,
      threads: 4,
    });
    expect(result.auc[0]).toHaveLength(10);
    expect(fake.started).toBe(0);
  });
});
