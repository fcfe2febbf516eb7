import { describe, expect, it } from 'vitest';
import { runRows } from '../../../lab/run.ts';
import { prAuc, riskFromHealth, rocAuc } from '../../../lab/stats/index.ts';
import { backtest, resolveSettings, runEvaluation } from '../../../lab/validate/backtest.ts';
import { backtestResultSchema } from '../../../lab/validate/schema.ts';
import { withTables } from '../helpers.ts';
import { healthModel, portfolioRows, SETTINGS, SNAPSHOTS } from './portfolio.ts';

/** Every number below is worked out by hand from the table in portfolio.ts. */
describe('backtest on the hand-made portfolio', () => {
  it('labels, excludes, counts and ranks exactly as worked out by hand', async () => {
    await withTables(portfolioRows(), async (connection, tables) => {
      const result = await backtest(connection, healthModel(), { ...SETTINGS, tables });
      expect(backtestResultSchema.parse(result)).toEqual(result);
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
      expect(result.snapshotDates).toEqual(SNAPSHOTS);
      expect(result.settings).toEqual({ ...SETTINGS, segments: true, dataEnd: '2024-04-30' });

      // 23 account-snapshots (6 + 6 + 6 + 5); H and I are never active. T4's window runs past
      // 2024-04-30: D, E and G have no outcome in it (excluded); B churned and C expanded in it.
      // G has no signal: its three labelled snapshots are unscored.
      expect(result.counts).toEqual({
        dates: 4,
        snapshots: 23,
        accounts: 7,
        excluded: 3,
        excludedAccounts: 3,
        positives: 6,
        negatives: 14,
        unscored: 3,
        evaluated: 17,
      });
      expect(result.perDate).toEqual([
        { asOf: SNAPSHOTS[0], accounts: 6, excluded: 0, positives: 1, negatives: 5, evaluated: 5 },
        { asOf: SNAPSHOTS[1], accounts: 6, excluded: 0, positives: 2, negatives: 4, evaluated: 5 },
        { asOf: SNAPSHOTS[2], accounts: 6, excluded: 0, positives: 2, negatives: 4, evaluated: 5 },
        { asOf: SNAPSHOTS[3], accounts: 5, excluded: 3, positives: 1, negatives: 1, evaluated: 2 },
      ]);

      const overall = result.overall;
      expect(overall.counts).toEqual({ rows: 17, positives: 6, negatives: 11, accounts: 6 });
      expect(overall.churnRate).toBe(6 / 17);
      // Positives score 20, 30, 40, 45, 45, 80; negatives 55, 60, 60, 70 x4, 80, 90 x3.
      // Each of the five low positives is below all 11 negatives; 80 is below the three 90s and
      // ties one 80: U = 5 * 11 + 3.5 = 58.5 of 66 pairs.
      expect(overall.rocAuc?.estimate).toBe(58.5 / 66);
      // Riskiest first, precision at each churned group: 1, 1, 1, 1 (x2 for the tied 45s), and
      // 6/14 at the 80s: (5 + 6/14) / 6 = 19/21.
      expect(overall.prAuc?.estimate).toBeCloseTo(19 / 21, 15);
      expect(overall.rocAuc?.reps).toBe(50);
      expect(overall.rocAuc!.low!).toBeLessThanOrEqual(overall.rocAuc!.estimate);
      expect(overall.rocAuc!.high!).toBeGreaterThanOrEqual(overall.rocAuc!.estimate);

      // red: A40 A30 F20 B45 B45, all churned; ARR 10k + 10k + 30k + 20k + 20k, all lost (F's
      // churn has no arr_delta: its ARR at T is lost). yellow: F60 C70 x4 B60 E55; C counts
      // 45,000 (50,000 before its later 5,000 expansion). green: B80 D90 x3 F80 (F churned).
      expect(overall.bands).toEqual([
        {
          band: 'red',
          rows: 5,
          rowShare: 5 / 17,
          churned: 5,
          churnRate: 1,
          arr: 90_000,
          arrChurned: 90_000,
          arrChurnRate: 1,
        },
        {
          band: 'yellow',
          rows: 7,
          rowShare: 7 / 17,
          churned: 0,
          churnRate: 0,
          arr: 235_000,
          arrChurned: 0,
          arrChurnRate: 0,
        },
        {
          band: 'green',
          rows: 5,
          rowShare: 5 / 17,
          churned: 1,
          churnRate: 0.2,
          arr: 350_000,
          arrChurned: 30_000,
          arrChurnRate: 30_000 / 350_000,
        },
      ]);
      // Deciles by rank, ties whole at their mean position p, bin floor(10 p / 17) + 1: F20 (p 0)
      // and A30 (p 1) make the riskiest decile, both churned: lift 1 / (6/17), capture 2/6.
      expect(overall.topDecile).toEqual({
        decile: 1,
        rows: 2,
        churned: 2,
        churnRate: 1,
        lift: 1 / (6 / 17),
        capture: 2 / 6,
        cumulativeCapture: 2 / 6,
        scoreLow: 20,
        scoreHigh: 30,
      });
      expect(overall.lift.map((row) => row.rows)).toEqual([2, 1, 3, 2, 0, 4, 0, 2, 3, 0]);
      expect(overall.calibration.reduce((sum, row) => sum + row.rows, 0)).toBe(17);
      expect(overall.calibration.reduce((sum, row) => sum + row.churned, 0)).toBe(6);

      expect(overall.red.snapshots).toEqual({
        red: 5,
        redChurned: 5,
        precision: 1,
        churned: 6,
        recall: 5 / 6,
      });
      // Turning red: A at T1 (no previous snapshot), F at T2, B at T3 (all churned), E at T4
      // (excluded: label unknown).
      expect(overall.red.alerts).toEqual({
        alerts: 4,
        labelled: 3,
        churned: 3,
        precision: 1,
        excluded: 1,
      });
      // Churns the run sees (last snapshot labelled 1): A (last T2), B (T4), F (T3). A is red at
      // T1 and T2: 2024-01-01 -> 02-15 = 45 days (a run from the first snapshot date: left-
      // censored). B is red at T3 and T4: 03-01 -> 04-20 = 50 days. F is green at T3 after a red
      // T2: not caught, red earlier only. Quartiles interpolate between 45 and 50.
      expect(overall.red.lead).toEqual({
        churnedAccounts: 3,
        caught: 2,
        caughtShare: 2 / 3,
        redEarlierOnly: 1,
        medianDays: 47.5,
        p25Days: 46.25,
        p75Days: 48.75,
        leftCensored: 1,
      });
      // Consecutive scored pairs: A 10; B 20, 15, 0; C 0 x3; D 0 x3; E 35; F 40, 60: 13 pairs,
      // median 0, 90th percentile 35 + 0.8 * (40 - 35) = 39; band changes B x2, E, F x2.
      expect(overall.stability).toMatchObject({
        intervalDays: 30,
        pairs: 13,
        medianAbsChange: 0,
        bandChangeShare: 5 / 13,
      });
      expect(overall.stability.p90AbsChange).toBeCloseTo(39, 12);
      expect(overall.stability.measures).toContain('30 days apart');

      const bySegment = Object.fromEntries(result.segments.map((s) => [s.segment, s]));
      expect(Object.keys(bySegment)).toEqual(['Enterprise', 'Mid-Market', 'SMB']);
      // SMB: positives 40, 30, 45, 45 all below negatives 80, 60, 55.
      expect(bySegment.SMB!.rocAuc?.estimate).toBe(1);
      expect(bySegment.SMB!.counts).toEqual({ rows: 7, positives: 4, negatives: 3, accounts: 3 });
      expect(bySegment.SMB!.red.lead.medianDays).toBe(47.5);
      expect(bySegment.SMB!.red.alerts.alerts).toBe(3);
      // Mid-Market: F 60/0, 20/1, 80/1: one pair of two ranks right.
      expect(bySegment['Mid-Market']!.rocAuc?.estimate).toBe(0.5);
      expect(bySegment['Mid-Market']!.red.lead).toMatchObject({
        churnedAccounts: 1,
        caught: 0,
        redEarlierOnly: 1,
      });
      // Enterprise never churned: no AUC, no lift, but its counts are there.
      expect(bySegment.Enterprise!.rocAuc).toBeNull();
      expect(bySegment.Enterprise!.prAuc).toBeNull();
      expect(bySegment.Enterprise!.lift).toEqual([]);
      expect(bySegment.Enterprise!.counts).toEqual({
        rows: 7,
        positives: 0,
        negatives: 7,
        accounts: 2,
      });
    });
  });

  it('reports the AUC of lab/stats on the vectors it pulled, and an SQL Mann-Whitney agrees', async () => {
    await withTables(portfolioRows(), async (connection, tables) => {
      const result = await backtest(connection, healthModel(), { ...SETTINGS, tables });
      const resolved = await resolveSettings(connection, { ...SETTINGS, tables });
      let sqlAuc = NaN;
      const evaluation = await runEvaluation(connection, [healthModel()], resolved, {
        after: async (done) => {
          // Mann-Whitney from mid-ranks of risk (ties share the mean rank), independently of JS.
          const [row] = await runRows<{ auc: number }>(
            connection,
            `WITH r AS (
               SELECT label, (rank() OVER w + rank() OVER w + count(*) OVER (PARTITION BY risk) - 1) / 2.0 AS mid
               FROM (SELECT 100 - score_0 AS risk, label FROM ${done.table} WHERE evaluated)
               WINDOW w AS (ORDER BY risk))
             SELECT (sum(mid) FILTER (WHERE label = 1) - n1 * (n1 + 1) / 2) / (n1 * n0) AS auc
             FROM r, (SELECT count(*) FILTER (WHERE label = 1) AS n1, count(*) FILTER (WHERE label = 0) AS n0 FROM r)
             GROUP BY n1, n0`,
            {},
          );
          sqlAuc = row!.auc;
        },
      });
      const rows = evaluation.models[0]!.rows;
      expect(rows.risk.length).toBe(17);
      expect(result.overall.rocAuc!.estimate).toBe(rocAuc(rows.risk, rows.label));
      expect(result.overall.prAuc!.estimate).toBe(prAuc(rows.risk, rows.label));
      expect(sqlAuc).toBeCloseTo(result.overall.rocAuc!.estimate, 14);
      // The same pulled vectors, from the scores and labels by hand.
      const scores = [20, 30, 40, 45, 45, 55, 60, 60, 70, 70, 70, 70, 80, 80, 90, 90, 90];
      const churned = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0];
      expect(rocAuc(riskFromHealth(scores), churned)).toBe(result.overall.rocAuc!.estimate);
    });
  });

  it('gives the same intervals for the same seed and other ones for another', async () => {
    await withTables(portfolioRows(), async (connection, tables) => {
      const a = await backtest(connection, healthModel(), { ...SETTINGS, tables });
      const b = await backtest(connection, healthModel(), { ...SETTINGS, tables });
      const c = await backtest(connection, healthModel(), {
        ...SETTINGS,
        bootstrap: { reps: 50, seed: 4 },
        tables,
      });
      expect(b).toEqual(a);
      expect(c.overall.rocAuc!.estimate).toBe(a.overall.rocAuc!.estimate);
      expect([c.overall.rocAuc!.low, c.overall.rocAuc!.high]).not.toEqual([
        a.overall.rocAuc!.low,
        a.overall.rocAuc!.high,
      ]);
      const none = await backtest(connection, healthModel(), {
        ...SETTINGS,
        bootstrap: { reps: 0, seed: 1 },
        segments: false,
        tables,
      });
      expect(none.overall.rocAuc).toEqual({
        estimate: 58.5 / 66,
        low: null,
        high: null,
        level: 0.95,
        reps: 0,
        skipped: 0,
      });
      expect(none.segments).toEqual([]);
    });
  });

  it('refuses settings and dates it cannot honour, naming the problem', async () => {
    await withTables(portfolioRows(), async (connection, tables) => {
      await expect(
        backtest(connection, healthModel(), { ...SETTINGS, to: '2024-05-01', tables }),
      ).rejects.toThrow(
        'the last snapshot date 2024-05-01 is after the last day of data 2024-04-30',
      );
      await expect(
        backtest(connection, healthModel(), { ...SETTINGS, from: '2024-04-01', tables }),
      ).rejects.toThrow('invalid settings: to: to must not be before from');
      await expect(
        backtest(connection, healthModel(), { ...SETTINGS, every: 0, tables }),
      ).rejects.toThrow(/invalid settings: every: /);
      const usage = {
        ...healthModel(),
        components: [
          {
            key: 'usage',
            weight: 1,
            metrics: [
              {
                metric: 'active_user_ratio_30d',
                weight: 1,
                direction: 'higher_is_better' as const,
                normalize: { method: 'percentile' as const, within: 'all' as const },
                seasonal_adjust: false,
              },
            ],
          },
        ],
      };
      await expect(backtest(connection, usage, { ...SETTINGS, tables })).rejects.toThrow(
        'model "test" cannot be scored: metric "active_user_ratio_30d" needs table usage_daily, which is not in the data',
      );
    });
  });
});
