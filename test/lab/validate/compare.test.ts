import { describe, expect, it } from 'vitest';
import { scoreModel } from '../../../lab/model/score.ts';
import type { Model } from '../../../lab/model/spec.ts';
import { compare } from '../../../lab/validate/compare.ts';
import { compareResultSchema } from '../../../lab/validate/compare-schema.ts';
import { MIGRATION_BANDS } from '../../../lab/validate/migration.ts';
import { withTables } from '../helpers.ts';
import { entry, signalModel } from '../models.ts';
import { healthModel, portfolioRows, SETTINGS, T4 } from './portfolio.ts';

/** The health signal read upside down: score = 100 - health. */
function reversedModel(): Model {
  const reversed = entry(
    'health',
    1,
    {
      method: 'thresholds',
      points: [
        [0, 100],
        [100, 0],
      ],
    },
    'lower_is_better',
  );
  return { ...signalModel([['health', 1, [reversed]]]), name: 'reversed' };
}

const bandCounts = (bands: (string | null)[]) =>
  MIGRATION_BANDS.map((band) => bands.filter((b) => (b ?? 'unscored') === band).length);

describe('compare on the hand-made portfolio', () => {
  it('scores every model and the equal-weights baseline on identical snapshots', async () => {
    await withTables(portfolioRows(), async (connection, tables) => {
      const models = [healthModel(), reversedModel()];
      const result = await compare(connection, models, { ...SETTINGS, tables });
      expect(compareResultSchema.parse(result)).toEqual(result);
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);

      expect(result.models.map((m) => [m.name, m.role])).toEqual([
        ['test', 'model'],
        ['reversed', 'model'],
        ['equal-weights', 'baseline'],
      ]);
      // One metric in the union, direction from the first model, percentile within segment.
      expect(result.baseline.components).toEqual([
        {
          key: 'equal',
          weight: 1,
          metrics: [
            {
              metric: 'signal:health:latest',
              weight: 1,
              direction: 'higher_is_better',
              normalize: { method: 'percentile', within: 'segment' },
              seasonal_adjust: false,
            },
          ],
        },
      ]);
      expect(result.baseline.bands).toEqual(models[0]!.bands);

      // Identical rows for every model: the 17 labelled snapshots every model scored.
      expect(result.counts.evaluated).toBe(17);
      for (const m of result.models) {
        expect(m.overall.counts).toEqual({ rows: 17, positives: 6, negatives: 11, accounts: 6 });
        expect(m.unscored).toBe(3);
      }
      const auc = result.models.map((m) => m.overall.rocAuc!.estimate);
      expect(auc[0]).toBe(58.5 / 66);
      expect(auc[1]).toBeCloseTo(1 - 58.5 / 66, 15);
      expect(result.reference).toBe(0);
      expect(result.pairedAuc[0]!.difference).toMatchObject({ estimate: 0, low: 0, high: 0 });
      expect(result.pairedAuc[1]!.difference!.estimate).toBeCloseTo(auc[1]! - auc[0]!, 15);
      expect(result.pairedAuc[1]!.difference!.high!).toBeLessThan(0);

      const rocAucRow = result.table.find((row) => row.key === 'rocAuc')!;
      expect(rocAucRow.values.map((v) => v.value)).toEqual(auc);
      expect(result.table.map((row) => row.values.length)).toEqual(result.table.map(() => 3));

      for (const curve of result.curves.roc) {
        expect(curve.points.length).toBeLessThanOrEqual(200);
        expect(curve.points[0]).toEqual({ fpr: 0, tpr: 0, score: null });
        expect(curve.points.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
      }
      expect(result.curves.lift[0]!.points.at(-1)).toMatchObject({
        depth: 1,
        cumulativeCapture: 1,
      });
    });
  });

  it('counts band migration at the last snapshot: rows and columns sum to the accounts', async () => {
    await withTables(portfolioRows(), async (connection, tables) => {
      const models = [healthModel(), reversedModel()];
      const result = await compare(connection, models, { ...SETTINGS, tables, migrationCap: 2 });
      expect(result.migrations.map((m) => [m.from, m.to])).toEqual([
        [0, 1],
        [0, 2],
        [1, 2],
      ]);
      // At T4: B 45, C 70, D 90, E 20, G unscored. Reversed: B 55, C 30, D 10, E 80.
      const health = result.migrations[0]!;
      expect(health.asOf).toBe(T4);
      expect(health.bands).toEqual(['red', 'yellow', 'green', 'unscored']);
      expect(health.matrix).toEqual([
        [0, 1, 1, 0], // red: B -> yellow, E -> green
        [1, 0, 0, 0], // yellow: C -> red
        [1, 0, 0, 0], // green: D -> red
        [0, 0, 0, 1], // unscored: G
      ]);
      expect(health.accounts).toBe(5);
      expect(health.changedTotal).toBe(4);
      // The largest score changes first (D 80 points, then E 60), capped at 2.
      expect(health.changed).toEqual([
        {
          account_id: 'D',
          segment: 'Enterprise',
          fromBand: 'green',
          toBand: 'red',
          fromScore: 90,
          toScore: 10,
        },
        {
          account_id: 'E',
          segment: 'SMB',
          fromBand: 'red',
          toBand: 'green',
          fromScore: 20,
          toScore: 80,
        },
      ]);

      // Row sums are each model's own band counts at T4, scored independently.
      const all = [...models, result.baseline];
      const counts = [];
      for (const model of all) {
        const scored = await scoreModel(connection, { model, asOf: [T4], tables });
        counts.push(bandCounts(scored.rows.map((row) => row.band)));
      }
      for (const migration of result.migrations) {
        const rows = migration.matrix.map((row) => row.reduce((a, b) => a + b, 0));
        const columns = MIGRATION_BANDS.map((_, j) =>
          migration.matrix.reduce((sum, row) => sum + row[j]!, 0),
        );
        expect(rows).toEqual(counts[migration.from]);
        expect(columns).toEqual(counts[migration.to]);
        expect(migration.accounts).toBe(5);
      }
    });
  });

  it('takes the reference by name and rejects one that is not a model', async () => {
    await withTables(portfolioRows(), async (connection, tables) => {
      const models = [healthModel(), reversedModel()];
      const result = await compare(connection, models, {
        ...SETTINGS,
        bootstrap: { reps: 0, seed: 1 },
        reference: 'reversed',
        tables,
      });
      expect(result.reference).toBe(1);
      expect(result.pairedAuc[0]!.difference).toMatchObject({ low: null, high: null, reps: 0 });
      await expect(
        compare(connection, models, { ...SETTINGS, reference: 'nope', tables }),
      ).rejects.toThrow('reference "nope" is not one of the models');
    });
  });
});
