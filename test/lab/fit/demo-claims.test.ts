import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableName } from '../../../data/contract.ts';
import { createViews } from '../../../data/dataset.ts';
import { fitModel } from '../../../lab/fit/fit.ts';
import { fitResultSchema } from '../../../lab/fit/schema.ts';
import { defaultModels } from '../../../lab/model/defaults.ts';
import { parseModel } from '../../../lab/model/spec.ts';
import { compare } from '../../../lab/validate/compare.ts';
import type { CompareResult } from '../../../lab/validate/compare-schema.ts';
import { openLabDatabase } from '../helpers.ts';
import { demoFolder } from '../validate/demo-data.ts';

/**
 * What the demo data's generative model promises (data/README.md) must show up in backtests:
 * the shipped weights beat equal weights, red churns several times as often as green, and a
 * fit beats the shipped weights on later data it never saw. 1,500 accounts x 730 days, the
 * demo's default seed; 22 monthly snapshots from 100 days into the window, 90-day horizon.
 */
const SETTINGS = { from: '2024-04-10', to: '2025-12-31', every: 30, horizon: 90 };
const balanced = defaultModels()[0]!;

let cleanup: () => Promise<void>;
let close: () => void;
let connection: DuckDBConnection;
let tables: TableName[];
let comparison: CompareResult;

beforeAll(async () => {
  const demo = await demoFolder({ accounts: 1500, days: 730, seed: 42, endDate: '2025-12-31' });
  cleanup = demo.cleanup;
  ({ connection, close } = await openLabDatabase());
  tables = (await createViews(connection, demo.dir)).views.map((view) => view.table);
  comparison = await compare(connection, [balanced], { ...SETTINGS, tables });
});

afterAll(async () => {
  close?.();
  await cleanup?.();
});

describe('backtests on demo data', () => {
  it('balanced beats equal weights over its own metrics', () => {
    const [shipped, baseline] = comparison.models;
    expect(baseline!.role).toBe('baseline');
    expect(comparison.counts.positives).toBeGreaterThan(300);
    const auc = (m: typeof shipped) => m!.overall.rocAuc!.estimate;
    expect(auc(shipped)).toBeGreaterThan(auc(baseline));
    // Paired over the same account resamples, the whole interval is on one side.
    expect(comparison.pairedAuc[1]!.difference!.high!).toBeLessThan(0);
  });

  it('red churns several times as often as green under balanced', () => {
    const rate = (band: string) =>
      comparison.models[0]!.overall.bands.find((row) => row.band === band)!.churnRate!;
    expect(comparison.models[0]!.overall.bands.every((row) => row.rows > 1000)).toBe(true);
    expect(rate('red')).toBeGreaterThan(3 * rate('yellow'));
    expect(rate('yellow')).toBeGreaterThan(rate('green'));
    expect(rate('red')).toBeGreaterThan(5 * rate('green'));
  });

  it('a fitted model beats balanced on the holdout, scored by the scoring engine', async () => {
    const fit = await fitModel(connection, { ...SETTINGS, tables, baseline: balanced });
    expect(fitResultSchema.parse(fit)).toEqual(fit);
    expect(parseModel(fit.model)).toEqual(fit.model);
    expect(fit.model.bands).toEqual(balanced.bands);
    // 22 dates: 7 held out (the newest), 2 purged (labels reaching into the holdout), 13 fitted.
    expect([fit.split.train.length, fit.split.purged.length, fit.split.holdout.length]).toEqual([
      13, 2, 7,
    ]);
    expect(fit.split.train.at(-1)! < fit.split.holdout[0]!).toBe(true);
    const fitted = fit.holdout.fitted.rocAuc!.estimate;
    const shipped = fit.holdout.baseline.rocAuc!.estimate;
    expect(fit.holdout.fitted.counts).toEqual(fit.holdout.baseline.counts);
    expect(fitted).toBeGreaterThan(shipped);
    expect(fit.holdout.aucDifference!.estimate).toBeCloseTo(fitted - shipped, 15);
    expect(fit.logistic.converged).toBe(true);
    expect(fit.logistic.holdoutAuc!).toBeGreaterThan(0.75);
    // The signals the generator plants come out with the right directions, and usage, the
    // richest family, weighs most.
    const direction = (metric: string) => fit.terms.find((t) => t.metric === metric)!.direction;
    expect(direction('active_user_ratio_30d')).toBe('higher_is_better');
    expect(direction('csat_avg_180d')).toBe('higher_is_better');
    expect(direction('nps_latest')).toBe('higher_is_better');
    expect(direction('high_priority_ticket_share_90d')).toBe('lower_is_better');
    expect(direction('late_payment_share_365d')).toBe('lower_is_better');
    expect(fit.model.components[0]!.key).toBe('usage');
  });
});
