import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModels } from '../../lab/model/defaults.ts';
import { tempDir } from '../helpers/app.ts';
import { vitals } from '../helpers/cli.ts';

describe('the lab from the command line: backtest, gate, promote, rollback', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const data = () => path.join(dir, 'data');
  const state = () => path.join(dir, 'state');

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('vitals-lab-cli-'));
    const made = await vitals(
      'demo',
      '--accounts',
      '800',
      '--seed',
      '5',
      '--out',
      data(),
      '--end-date',
      '2026-06-30',
    );
    expect(made.code, made.stderr).toBe(0);
    // A backfill registers the shipped default as production, as the server does.
    const scored = await vitals(
      'score',
      '--data',
      data(),
      '--state',
      state(),
      '--from',
      '2026-06-01',
    );
    expect(scored.code, scored.stderr).toBe(0);
  });
  afterAll(() => cleanup());

  it('promotes only a backtested candidate, records why, and rolls back', async () => {
    const production = await vitals(
      'backtest',
      '--data',
      data(),
      '--state',
      state(),
      '--reps',
      '50',
      '--json',
    );
    expect(production.code, production.stderr).toBe(0);
    const productionResult = JSON.parse(production.stdout);
    expect(productionResult.model.name).toBe('balanced');
    expect(productionResult.snapshotDates.at(-1)).toBe('2026-04-01'); // 2026-06-30 minus 90 days
    expect(productionResult.overall.rocAuc.estimate).toBeGreaterThan(0.6);

    // The same weighting under another name: a different version with identical figures.
    const candidateFile = path.join(dir, 'candidate.json');
    await writeFile(
      candidateFile,
      JSON.stringify({ ...defaultModels()[0], name: 'balanced-copy' }),
    );
    const saved = await vitals(
      'models',
      'save',
      candidateFile,
      '--status',
      'candidate',
      '--state',
      state(),
      '--json',
    );
    expect(saved.code, saved.stderr).toBe(0);
    const hash: string = JSON.parse(saved.stdout).hash;

    const refused = await vitals('promote', hash, '--data', data(), '--state', state(), '--json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).gate).toMatchObject({ passed: false, rule: 'unvalidated' });

    const candidate = await vitals(
      'backtest',
      '--model',
      hash.slice(0, 12),
      '--data',
      data(),
      '--state',
      state(),
      '--reps',
      '50',
      '--json',
    );
    expect(candidate.code, candidate.stderr).toBe(0);
    expect(JSON.parse(candidate.stdout).overall.rocAuc.estimate).toBeCloseTo(
      productionResult.overall.rocAuc.estimate,
      12,
    );

    const promoted = await vitals(
      'promote',
      hash,
      '--data',
      data(),
      '--state',
      state(),
      '--json',
      '--by',
      'ana',
    );
    expect(promoted.code, promoted.stdout + promoted.stderr).toBe(0);
    const decision = JSON.parse(promoted.stdout);
    expect(decision.promoted).toBe(true);
    expect(decision.gate.passed).toBe(true);

    const audit = JSON.parse((await vitals('audit', '--state', state(), '--json')).stdout);
    const entries = Array.isArray(audit) ? audit : audit.entries;
    const promotion = entries.find((entry: { action: string }) => entry.action === 'promote');
    expect(promotion).toMatchObject({
      by: 'ana',
      toHash: hash,
      gatePassed: true,
      overridden: false,
    });
    expect(promotion.figures.candidate.figures.auc).toBeCloseTo(
      productionResult.overall.rocAuc.estimate,
      12,
    );

    const back = await vitals(
      'rollback',
      '--state',
      state(),
      '--reason',
      'checking rollback',
      '--json',
    );
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout).to).toBe(productionResult.model.hash);
  });

  it('fits a model from history and compares it with production and the equal-weights baseline', async () => {
    const out = path.join(dir, 'fitted.json');
    const fitted = await vitals(
      'fit',
      '--data',
      data(),
      '--state',
      state(),
      '--out',
      out,
      '--json',
    );
    expect(fitted.code, fitted.stderr).toBe(0);
    const fit = JSON.parse(fitted.stdout);
    expect(fit.split.train.at(-1) < fit.split.holdout[0]).toBe(true);
    const weights = fit.model.components.flatMap((c: { metrics: { weight: number }[] }) =>
      c.metrics.map((m) => m.weight),
    );
    expect(weights.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(100, 6);

    const compared = await vitals(
      'compare',
      '--model',
      out,
      '--data',
      data(),
      '--state',
      state(),
      '--reps',
      '50',
      '--json',
    );
    expect(compared.code, compared.stderr).toBe(0);
    const result = JSON.parse(compared.stdout);
    expect(result.models.map((m: { name: string; role: string }) => `${m.name}:${m.role}`)).toEqual(
      ['fitted:model', 'equal-weights:baseline'],
    );
    // Compare scores every model on the same snapshots as a backtest of that model alone.
    const alone = await vitals(
      'backtest',
      '--model',
      out,
      '--data',
      data(),
      '--state',
      state(),
      '--no-store',
      '--reps',
      '50',
      '--json',
    );
    expect(alone.code, alone.stderr).toBe(0);
    // Not a terminal: progress comes as plain lines on stderr, one per stage and per quarter of a
    // long stage, never on stdout (which holds the JSON).
    const lines = alone.stderr.split('\n');
    expect(lines).toContain('backtest: bootstrap 50/50');
    expect(lines.filter((line) => /^backtest: bootstrap \d+\/50$/.test(line))).toHaveLength(4);
    expect(lines.some((line) => /^backtest: metrics in \d+\.\d s$/.test(line))).toBe(true);
    expect(lines.some((line) => /^backtest: bootstrap in \d+\.\d s$/.test(line))).toBe(true);
    expect(result.models[0].overall.rocAuc.estimate).toBeCloseTo(
      JSON.parse(alone.stdout).overall.rocAuc.estimate,
      12,
    );
  });
});
