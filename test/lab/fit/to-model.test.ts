import { describe, expect, it } from 'vitest';
import { medianOf, imputedRows, selectInPlace } from '../../../lab/fit/matrix.ts';
import { SeededRandom } from '../../../lab/stats/index.ts';
import { timeSplit } from '../../../lab/fit/split.ts';
import { modelFromTerms, termsFromFit } from '../../../lab/fit/to-model.ts';
import { defaultModels } from '../../../lab/model/defaults.ts';
import { parseModel } from '../../../lab/model/spec.ts';

const METRICS = [
  'active_user_ratio_30d',
  'logins_trend_90d',
  'csat_avg_180d',
  'high_priority_ticket_share_90d',
  'email_opens_90d',
];

describe('turning a logistic fit into a model', () => {
  // Standardised coefficients on churn: -4, -2, -1.5, +2, +0.1 (total 9.6); 0.1 is 1.04%.
  const standardized = [-4, -2, -1.5, 2, 0.1];
  const raw = [-20, -3, -1, 10, 0.01];

  it('weighs by |standardised coefficient|, signs give directions, small ones are dropped', () => {
    const terms = termsFromFit(METRICS, raw, standardized);
    expect(terms.map((t) => [t.metric, t.family, t.direction, t.kept, t.weight])).toEqual([
      // kept total 9.5: 4/9.5, 2/9.5, 1.5/9.5, 2/9.5 of 100, rounded to 0.01
      ['active_user_ratio_30d', 'usage', 'higher_is_better', true, 42.11],
      ['logins_trend_90d', 'usage', 'higher_is_better', true, 21.05],
      ['csat_avg_180d', 'support', 'higher_is_better', true, 15.79],
      ['high_priority_ticket_share_90d', 'support', 'lower_is_better', true, 21.05],
      ['email_opens_90d', 'engagement', 'lower_is_better', false, 0],
    ]);
    expect(terms[4]!.dropped).toBe('1.04% of the total weight, under 2%');
    expect(terms[0]!.share).toBe(4 / 9.6);
    expect(terms[0]!.coefficient).toBe(-20);
  });

  it('groups the kept metrics into family components with percentile ranks and baseline bands', () => {
    const baseline = defaultModels()[0]!;
    const terms = termsFromFit(METRICS, raw, standardized);
    const model = modelFromTerms(terms, baseline, { name: 'fitted', description: 'test' });
    expect(parseModel(model)).toEqual(model);
    expect(model.bands).toEqual(baseline.bands);
    expect(model.components.map((c) => [c.key, c.weight, c.metrics.map((m) => m.metric)])).toEqual([
      ['usage', 63.16, ['active_user_ratio_30d', 'logins_trend_90d']],
      ['support', 36.84, ['high_priority_ticket_share_90d', 'csat_avg_180d']],
    ]);
    for (const metric of model.components.flatMap((c) => c.metrics)) {
      expect(metric.normalize).toEqual({ method: 'percentile', within: 'segment' });
    }
  });

  it('rounds weights to hundredths that sum to exactly 100 (largest remainders)', () => {
    const thirds = termsFromFit(
      ['tickets_opened_90d', 'csat_avg_180d', 'nps_latest'],
      [1, -1, 1],
      [0.5, -0.5, 0.5],
    );
    expect(thirds.map((t) => t.weight)).toEqual([33.34, 33.33, 33.33]);
    // 100/7 = 14.2857...: seven floors of 14.28 leave 0.04, so four weights get 14.29.
    const sevenths = termsFromFit(
      [
        'tickets_opened_90d',
        'csat_avg_180d',
        'nps_latest',
        'meetings_90d',
        'email_opens_90d',
        'open_tickets',
        'days_overdue_now',
      ],
      [1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1, 1, 1],
    );
    const weights = sevenths.map((t) => t.weight);
    expect(weights.filter((w) => w === 14.29)).toHaveLength(4);
    expect(weights.filter((w) => w === 14.28)).toHaveLength(3);
    expect(Math.round(weights.reduce((a, b) => a + b, 0) * 100)).toBe(10_000);
  });

  it('refuses to build a model when every coefficient is 0', () => {
    const terms = termsFromFit(METRICS, [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]);
    expect(terms[0]!.dropped).toBe('coefficient 0 (constant in the training rows)');
    expect(() =>
      modelFromTerms(terms, defaultModels()[0]!, { name: 'x', description: '' }),
    ).toThrow('the fit gave no metric a weight');
  });
});

describe('the time split', () => {
  const dates = Array.from({ length: 10 }, (_, i) =>
    new Date(Date.UTC(2025, 0, 1 + 30 * i)).toISOString().slice(0, 10),
  );

  it('holds out the newest dates and purges training labels that reach into them', () => {
    // 3 held out from 2025-07-30. With 61-day labels, 05-31 (to 07-31) and 06-30 reach past it.
    expect(timeSplit(dates, 0.3, 61)).toEqual({
      train: dates.slice(0, 5),
      purged: dates.slice(5, 7),
      holdout: dates.slice(7),
    });
    // With 60 days 05-31 ends on 07-30 itself, which the holdout's own features may see.
    expect(timeSplit(dates, 0.3, 60).purged).toEqual([dates[6]]);
    expect(timeSplit(dates, 0.3, 30).purged).toEqual([]);
  });

  it('refuses a split with nothing left to train on', () => {
    expect(() => timeSplit(dates.slice(0, 3), 0.3, 90)).toThrow(
      /3 snapshot dates give 0 to train on \(after leaving out 2 whose 90-day labels reach into the holdout\)/,
    );
  });
});

describe('imputation', () => {
  it('finds the median by selection exactly as sorting does, with ties, runs and gaps', () => {
    const random = SeededRandom.fromSeed(11);
    const sortedMedian = (values: Float64Array) => {
      const present = [...values].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
      const mid = present.length >> 1;
      if (present.length === 0) return null;
      return present.length % 2 ? present[mid]! : (present[mid - 1]! + present[mid]!) / 2;
    };
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + random.nextIndex(trial < 100 ? 12 : 3000);
      const distinct = 1 + random.nextIndex(trial % 3 === 0 ? 3 : 1000);
      const values = Float64Array.from({ length: n }, () =>
        random.nextIndex(10) === 0 ? NaN : random.nextIndex(distinct) - distinct / 2,
      );
      if (trial % 5 === 0) values.sort();
      if (trial % 7 === 0) values.reverse();
      const expected = sortedMedian(values);
      expect(medianOf(values), `trial ${trial}`).toBe(expected);
      const k = random.nextIndex(n);
      const copy = values.filter((v) => !Number.isNaN(v));
      if (k < copy.length) {
        const sorted = [...copy].sort((a, b) => a - b);
        expect(selectInPlace(copy, copy.length, k)).toBe(sorted[k]);
        copy.forEach((v, i) => {
          if (i < k) expect(v).toBeLessThanOrEqual(sorted[k]!);
          if (i > k) expect(v).toBeGreaterThanOrEqual(sorted[k]!);
        });
      }
    }
  });

  it('uses the median of the values present and fills the gaps with it', () => {
    const column = Float64Array.of(3, NaN, 1, 10, NaN);
    expect(medianOf(column)).toBe(3);
    expect(medianOf(Float64Array.of(4, 1, 2, NaN, 3))).toBe(2.5);
    expect(medianOf(Float64Array.of(NaN))).toBeNull();
    expect(medianOf(Float64Array.of(7))).toBe(7);
    const rows = imputedRows([column, Float64Array.of(1, 2, 3, 4, 5)], [3, 0]);
    expect(rows.map((row) => [...row])).toEqual([
      [3, 1],
      [3, 2],
      [1, 3],
      [10, 4],
      [3, 5],
    ]);
  });
});
