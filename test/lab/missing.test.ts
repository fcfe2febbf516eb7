import { describe, expect, it } from 'vitest';
import { scoreModel } from '../../lab/model/score.ts';
import { signalRows, withTables } from './helpers.ts';
import { entry, signalModel } from './models.ts';

const T = '2024-03-31';
// usage (2): u (1), v (3); support (1): s (1), t (1). Identity normalisation.
const components: Parameters<typeof signalModel>[0] = [
  ['usage', 2, [entry('u', 1), entry('v', 3)]],
  ['support', 1, [entry('s', 1), entry('t', 1)]],
];
const rows = signalRows([
  { account: 'P', values: { u: 80, v: null, s: 40, t: null } },
  { account: 'Q', values: { u: null, v: null, s: 60, t: 20 } },
  { account: 'R', values: {} },
]);

async function score(missing: 'neutral' | 'renormalize') {
  const model = signalModel(components, { missing });
  return withTables(rows, async (connection, tables) => {
    const result = await scoreModel(connection, { model, asOf: [T], tables });
    return Object.fromEntries(result.rows.map((row) => [row.account_id, row]));
  });
}

describe('missing-value policies', () => {
  it('renormalize drops missing metrics and rescales the others', async () => {
    const by = await score('renormalize');
    // P: usage = u = 80, support = s = 40; components keep 2/3 and 1/3: 160/3 + 40/3 = 200/3.
    expect(by.P!.score).toBeCloseTo(200 / 3, 12);
    expect(by.P!.metrics.map((m) => [m.metric, m.weight, m.normalized, m.missing])).toEqual([
      ['signal:u:latest', expect.closeTo(2 / 3, 12), 80, null],
      ['signal:v:latest', 0, null, 'dropped'],
      ['signal:s:latest', expect.closeTo(1 / 3, 12), 40, null],
      ['signal:t:latest', 0, null, 'dropped'],
    ]);
    // Q: the whole usage component is missing, so support (60 + 20) / 2 = 40 carries the score.
    expect(by.Q!.score).toBeCloseTo(40, 12);
    expect(by.Q!.components).toEqual([
      { key: 'usage', score: null, weight: 0 },
      { key: 'support', score: 40, weight: 1 },
    ]);
    expect(by.Q!.metrics.map((m) => m.weight)).toEqual([0, 0, 0.5, 0.5]);
  });

  it('neutral counts a missing metric as 50 with its full weight', async () => {
    const by = await score('neutral');
    // P: usage 0.25 * 80 + 0.75 * 50 = 57.5; support 0.5 * 40 + 0.5 * 50 = 45;
    // score 2/3 * 57.5 + 1/3 * 45 = 160/3.
    expect(by.P!.score).toBeCloseTo(160 / 3, 12);
    expect(by.P!.components.map((c) => c.score)).toEqual([57.5, 45]);
    expect(by.P!.metrics.map((m) => [m.normalized, m.missing])).toEqual([
      [80, null],
      [50, 'neutral'],
      [40, null],
      [50, 'neutral'],
    ]);
    expect(by.P!.metrics.map((m) => m.weight)).toEqual([
      expect.closeTo(1 / 6, 12),
      expect.closeTo(1 / 2, 12),
      expect.closeTo(1 / 6, 12),
      expect.closeTo(1 / 6, 12),
    ]);
    expect(by.P!.metrics[1]!.contribution).toBeCloseTo(25, 12);
    // Q: usage 50 (both neutral), support 40: 2/3 * 50 + 1/3 * 40 = 140/3.
    expect(by.Q!.score).toBeCloseTo(140 / 3, 12);
  });

  it.each(['neutral', 'renormalize'] as const)(
    '%s: with every metric missing the score is null with a reason',
    async (policy) => {
      const { R } = await score(policy);
      expect([R!.score, R!.band, R!.reason]).toEqual([null, null, 'no metric has a value']);
      expect(R!.metrics.map((m) => m.contribution)).toEqual([null, null, null, null]);
      expect(R!.metrics.map((m) => m.missing)).toEqual(
        Array(4).fill(policy === 'neutral' ? 'neutral' : 'dropped'),
      );
    },
  );
});
