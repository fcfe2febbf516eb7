import { describe, expect, it } from 'vitest';
import { percentileBlocks } from '../../../lab/fit/matrix.ts';
import { SeededRandom } from '../../../lab/stats/index.ts';
import { scoreModel } from '../../../lab/model/score.ts';
import { signalRows, withTables } from '../helpers.ts';
import { entry, signalModel } from '../models.ts';

describe('percentile features', () => {
  it('rank exactly as a model ranks by percentile within segment', async () => {
    // Ties, a missing value, a segment of one account.
    const values: [string, string, number | null][] = [
      ['a', 'SMB', 3],
      ['b', 'SMB', 1],
      ['c', 'SMB', 3],
      ['d', 'SMB', null],
      ['e', 'SMB', 7],
      ['f', 'SMB', 1],
      ['g', 'Enterprise', 5],
      ['h', 'Mid-Market', 2],
      ['i', 'Mid-Market', 2],
    ];
    const rows = signalRows(
      values.map(([account, segment, x]) => ({ account, segment, values: { x } })),
    );
    const model = signalModel([
      ['all', 1, [entry('x', 1, { method: 'percentile', within: 'segment' })]],
    ]);
    await withTables(rows, async (connection, tables) => {
      const scored = await scoreModel(connection, { model, asOf: ['2024-03-31'], tables });
      const segments = ['Enterprise', 'Mid-Market', 'SMB'];
      const ordered = [...values].sort(
        (a, b) => segments.indexOf(a[1]) - segments.indexOf(b[1]) || a[0].localeCompare(b[0]),
      );
      const features = percentileBlocks(
        Float64Array.from(ordered, ([, , x]) => x ?? NaN),
        Int32Array.from(ordered, ([, segment]) => segments.indexOf(segment)),
      );
      const bySql = new Map(scored.rows.map((row) => [row.account_id, row.metrics[0]!.normalized]));
      ordered.forEach(([account], i) => {
        const expected = bySql.get(account) ?? null;
        expect(Number.isNaN(features[i]!) ? null : features[i]).toBe(expected);
      });
      // By hand for SMB (1, 1, 3, 3, 7 and a missing one): 1 -> 50 + 50 * (0 - 3) / 4 = 12.5.
      expect(features[ordered.findIndex(([a]) => a === 'b')]).toBe(12.5);
    });
  });

  it('equal counting by brute force on blocks with ties, -0, 0 and missing values', () => {
    const random = SeededRandom.fromSeed(5);
    const n = 3000;
    const block = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 700));
    const values = Float64Array.from({ length: n }, () => {
      const u = random.nextDouble();
      if (u < 0.1) return NaN;
      if (u < 0.15) return -0;
      return random.nextIndex(40) - 20;
    });
    const features = percentileBlocks(values, block);
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(values[i]!)) {
        expect(features[i]).toBeNaN();
        continue;
      }
      let present = 0;
      let below = 0;
      let above = 0;
      for (let k = 0; k < n; k++) {
        if (block[k] !== block[i] || Number.isNaN(values[k]!)) continue;
        present++;
        if (values[k]! < values[i]!) below++;
        if (values[k]! > values[i]!) above++;
      }
      expect(features[i]).toBe(50 + (50 * (below - above)) / (present - 1));
    }
  });
});
