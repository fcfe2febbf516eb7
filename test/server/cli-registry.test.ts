import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFingerprint } from '../../data/fingerprint.ts';
import { openStateDatabase, storeBacktest } from '../../lab/registry/index.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { tempDir } from '../helpers/app.ts';

const exec = promisify(execFile);
const CLI = path.join(ROOT_DIR, 'server', 'cli', 'main.ts');
// Every state and data folder is given explicitly; none may come from the environment.
const { STATE_DIR: _state, DATA_DIR: _data, ...INHERITED } = process.env;
const ENV = { ...INHERITED, TZ: 'UTC' };
const SETTINGS = { from: '2025-04-01', to: '2026-01-01', every: 30, horizon: 90 };

/** Runs the real command line in a child process; never throws, returns the exit code. */
async function vitals(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT_DIR,
      env: ENV,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Runs the command line and parses its JSON output, failing with its stderr otherwise. */
async function vitalsJson(expectedCode: number, ...args: string[]) {
  const result = await vitals(...args, '--json');
  expect(result.code, result.stderr).toBe(expectedCode);
  return JSON.parse(result.stdout);
}

describe('registry command line', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const state = () => path.join(dir, 'state');
  const data = () => path.join(dir, 'data');
  const modelFile = (name: string) => path.join(dir, `${name}.json`);
  const s = () => ['--state', state()];
  const hashes: Record<string, string> = {};

  /** Stores a backtest with an AUC interval for `hash` on the data folder, as the engine would. */
  async function storeAuc(hash: string, auc: [number, number, number]) {
    const opened = await openStateDatabase(state(), { mustExist: true });
    try {
      await storeBacktest(
        opened.connection,
        opened.schema,
        {
          modelHash: hash,
          dataFingerprint: await dataFingerprint(data()),
          settings: SETTINGS,
          result: { auc: { estimate: auc[0], low: auc[1], high: auc[2] } },
        },
        new Date(),
      );
    } finally {
      opened.close();
    }
  }

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('vitals-cli-registry-'));
    // The fingerprint reads file metadata only: placeholder files stand in for an export.
    await mkdir(data());
    await writeFile(path.join(data(), 'accounts.parquet'), 'accounts');
    await writeFile(path.join(data(), 'outcomes.parquet'), 'outcomes');
    await writeFile(path.join(dir, 'settings.json'), JSON.stringify(SETTINGS));
    const balanced = JSON.parse(
      await readFile(path.join(ROOT_DIR, 'lab', 'model', 'models', 'balanced.json'), 'utf8'),
    );
    for (const [name, red] of [
      ['a', 50],
      ['b', 45],
      ['c', 40],
    ] as const) {
      await writeFile(
        modelFile(name),
        JSON.stringify({ ...balanced, name, bands: { ...balanced.bands, red } }),
      );
    }
  });
  afterAll(() => cleanup());

  it('has --help and --json on every registry verb', async () => {
    const verbs = [
      ['models'],
      ['models', 'list'],
      ['models', 'show'],
      ['models', 'save'],
      ['models', 'mark'],
      ['promote'],
      ['rollback'],
      ['audit'],
    ];
    const helps = await Promise.all(verbs.map((verb) => vitals(...verb, '--help')));
    verbs.forEach((verb, i) => {
      const help = helps[i]!;
      expect(help.code, verb.join(' ')).toBe(0);
      expect(help.stdout, verb.join(' ')).toContain(`Usage: vitals ${verb.join(' ')}`);
      expect(help.stdout, verb.join(' ')).toContain('--json');
    });
    const promote = helps[5]!.stdout;
    for (const option of [
      '--override-gate',
      '--reason',
      '--by',
      '--data',
      '--state',
      '--settings',
    ]) {
      expect(promote).toContain(option);
    }
  });

  it('says clearly when there is no state database yet', async () => {
    const missing = await vitals('models', '--state', path.join(dir, 'nowhere'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `vitals: there is no state database at ${path.join(dir, 'nowhere', 'vitals.duckdb')}\n`,
    );
  });

  it('saves, lists, shows and marks model versions', async () => {
    const a = await vitalsJson(
      0,
      'models',
      'save',
      modelFile('a'),
      '--status',
      'candidate',
      ...s(),
    );
    expect(a).toMatchObject({ name: 'a', status: 'candidate', created: true, derivedFrom: null });
    expect(a.createdBy).toBe(os.userInfo().username);
    hashes.a = a.hash;
    const again = await vitalsJson(0, 'models', 'save', modelFile('a'), ...s());
    expect(again).toMatchObject({ hash: a.hash, status: 'candidate', created: false });
    const b = await vitalsJson(
      0,
      'models',
      'save',
      modelFile('b'),
      '--derived-from',
      a.hash.slice(0, 8),
      '--by',
      'tess',
      ...s(),
    );
    expect(b).toMatchObject({ status: 'draft', derivedFrom: a.hash, createdBy: 'tess' });
    hashes.b = b.hash;
    hashes.c = (
      await vitalsJson(0, 'models', 'save', modelFile('c'), '--status', 'candidate', ...s())
    ).hash;

    const listed = await vitalsJson(0, 'models', ...s());
    expect(listed.map((m: { name: string; status: string }) => [m.name, m.status])).toEqual([
      ['a', 'candidate'],
      ['b', 'draft'],
      ['c', 'candidate'],
    ]);
    const text = await vitals('models', ...s());
    expect(text.stdout.split('\n')[0]).toMatch(
      /^STATUS\s+NAME\s+HASH\s+DERIVED FROM\s+CREATED\s+BY$/,
    );
    expect(text.stdout).toContain(
      `draft      b     ${b.hash.slice(0, 12)}  ${a.hash.slice(0, 12)}`,
    );

    const marked = await vitalsJson(0, 'models', 'mark', b.hash.slice(0, 6), 'candidate', ...s());
    expect(marked.status).toBe('candidate');
    const bad = await vitals('models', 'mark', b.hash, 'production', ...s());
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('expected one of draft, candidate, retired, got "production"');

    const shown = await vitalsJson(0, 'models', 'show', b.hash.slice(0, 10), ...s());
    expect(shown).toMatchObject({
      hash: b.hash,
      name: 'b',
      derivedFrom: a.hash,
      status: 'candidate',
    });
    expect(shown.model.bands.red).toBe(45);
    expect(shown.statusHistory.map((change: { status: string }) => change.status)).toEqual([
      'draft',
      'candidate',
    ]);
  });

  it('promotes through the gate, refuses what it cannot vouch for, and audits both', async () => {
    const promote = (hash: string, code: number, ...more: string[]) =>
      vitalsJson(
        code,
        'promote',
        hash,
        '--data',
        data(),
        '--settings',
        path.join(dir, 'settings.json'),
        ...more,
        ...s(),
      );

    const unvalidated = await promote(hashes.a!, 1);
    expect(unvalidated).toMatchObject({
      promoted: false,
      gate: { passed: false, rule: 'unvalidated' },
    });
    const text = await vitals('promote', hashes.a!, '--data', data(), ...s());
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('gate refused (unvalidated): no backtest settings were given');

    await storeAuc(hashes.a!, [0.7, 0.66, 0.74]);
    const first = await promote(
      hashes.a!.slice(0, 8),
      0,
      '--by',
      'lead',
      '--reason',
      'first model',
    );
    expect(first).toMatchObject({
      promoted: true,
      from: null,
      to: hashes.a,
      gate: { rule: 'no_production' },
    });

    await storeAuc(hashes.b!, [0.6, 0.55, 0.65]);
    const worse = await promote(hashes.b!, 1);
    expect(worse.gate).toMatchObject({
      passed: false,
      rule: 'production_interval',
      candidate: { figures: { auc: 0.6 } },
      production: { figures: { auc: 0.7, aucLow: 0.66 } },
    });

    await storeAuc(hashes.c!, [0.72, 0.68, 0.76]);
    const better = await vitals(
      'promote',
      hashes.c!,
      '--data',
      data(),
      '--settings',
      JSON.stringify(SETTINGS),
      ...s(),
    );
    expect(better.code, better.stderr).toBe(0);
    expect(better.stdout).toBe(
      `gate passed (production_interval): candidate AUC 0.7200 >= 0.6600, the lower bound of production's AUC 0.7000 [0.6600, 0.7400]: not worse\n` +
        `promoted ${hashes.c!.slice(0, 12)} to production, replacing ${hashes.a!.slice(0, 12)} (audit #5)\n`,
    );

    const short = await vitals(
      'promote',
      hashes.b!,
      '--data',
      data(),
      '--override-gate',
      '--reason',
      'urgent',
      ...s(),
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toBe(
      'vitals: overriding the promotion gate needs a written reason of at least 10 characters\n',
    );
    const overridden = await promote(
      hashes.b!,
      0,
      '--override-gate',
      '--reason',
      'c misfires on the new plans',
    );
    expect(overridden).toMatchObject({
      promoted: true,
      overridden: true,
      from: hashes.c,
      to: hashes.b,
    });

    const audit = await vitalsJson(0, 'audit', ...s());
    expect(
      audit.map(
        (e: { action: string; by: string; gatePassed: boolean | null; overridden: boolean }) => [
          e.action,
          e.by,
          e.gatePassed,
          e.overridden,
        ],
      ),
    ).toEqual([
      ['promote', os.userInfo().username, false, true],
      ['promote', os.userInfo().username, true, false],
      ['promote_refused', os.userInfo().username, false, false],
      ['promote', 'lead', true, false],
      ['promote_refused', os.userInfo().username, false, false],
      ['promote_refused', os.userInfo().username, false, false],
    ]);
    // The figures the promotion of c rested on.
    expect(audit[1].figures).toMatchObject({
      candidate: { hash: hashes.c, figures: { auc: 0.72, aucLow: 0.68, aucHigh: 0.76 } },
      production: { hash: hashes.a, figures: { auc: 0.7, aucLow: 0.66, aucHigh: 0.74 } },
      settings: SETTINGS,
    });
    expect(await vitalsJson(0, 'audit', '--limit', '2', ...s())).toHaveLength(2);
  });

  it('rolls back to the previous production model and audits it', async () => {
    const result = await vitalsJson(
      0,
      'rollback',
      '--reason',
      'b is worse after all',
      '--by',
      'ops',
      ...s(),
    );
    expect(result).toMatchObject({ from: hashes.b, to: hashes.c });
    const listed = await vitalsJson(0, 'models', '--status', 'production', ...s());
    expect(listed.map((m: { hash: string }) => m.hash)).toEqual([hashes.c]);
    const [latest] = await vitalsJson(0, 'audit', '--limit', '1', ...s());
    expect(latest).toMatchObject({
      action: 'rollback',
      by: 'ops',
      reason: 'b is worse after all',
      figures: null,
    });
    const text = await vitals('audit', ...s());
    expect(text.stdout.split('\n')[0]).toMatch(
      /^#\s+WHEN\s+BY\s+ACTION\s+FROM\s+TO\s+GATE\s+REASON$/,
    );
    expect(text.stdout.split('\n')[1]).toMatch(/^\d+\s+\S+Z\s+ops\s+rollback\s+/);
  });

  it('refuses clearly while another process (a running server) holds the state database', async () => {
    const held = await openStateDatabase(state(), { mustExist: true });
    try {
      for (const args of [
        ['models'],
        ['audit'],
        ['rollback'],
        ['promote', hashes.a!, '--data', data()],
      ]) {
        const locked = await vitals(...args, ...s());
        expect(locked.code, args.join(' ')).toBe(1);
        expect(locked.stderr, args.join(' ')).toBe(
          `vitals: the state database ${path.join(state(), 'vitals.duckdb')} is in use by another process (is the Vitals server running on this state folder? stop it first, or make the change through the server)\n`,
        );
      }
    } finally {
      held.close();
    }
    expect((await vitals('models', ...s())).code).toBe(0);
  });
});
