import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMetrics } from '../../../lab/metrics/compute.ts';
import { runRows } from '../../../lab/run.ts';
import {
  dailyFactors,
  prepareSeasonalFactors,
  SEASONAL_FACTORS_TABLE,
} from '../../../lab/seasonality/factors.ts';
import { openLabDatabase } from '../helpers.ts';
import { demoFolder, loadDemoTables } from '../validate/demo-data.ts';

const END = '2025-06-30';
// 1,000 days end on 2025-06-30, so December 2024 has over two years of history before it.
const OPTIONS = { accounts: 400, days: 1000, seed: 17, endDate: END };
const T = '2024-12-31';

type Factor = { segment: string; as_of: string; date: string; f: number };

async function factorsAsOf(dir: string, asOf: string, where?: string): Promise<Factor[]> {
  const { connection, close } = await openLabDatabase();
  try {
    await loadDemoTables(connection, dir, where ? { usage_daily: { where } } : {});
    await prepareSeasonalFactors(connection, { asOf: [asOf], days: 90 });
    return await runRows<Factor>(
      connection,
      `SELECT segment, strftime(as_of, '%Y-%m-%d') AS as_of, strftime(date, '%Y-%m-%d') AS date,
  f_active_users AS f FROM ${SEASONAL_FACTORS_TABLE} ORDER BY segment, date`,
      {},
    );
  } finally {
    close();
  }
}

describe('seasonal factors', () => {
  it('recover a weekly pattern exactly known in advance, scaled to average 1', () => {
    const weekly = [1.2, 1.25, 1.2, 1.15, 1.1, 0.45, 0.4];
    const mean = weekly.reduce((a, b) => a + b, 0) / 7;
    const values = Float64Array.from(
      { length: 210 },
      (_, d) => 1000 * (1 + 0.002 * d) * weekly[d % 7]!,
    );
    const { factors, periods } = dailyFactors(values);
    expect(periods).toEqual([7]);
    for (let d = 30; d < 180; d++) {
      expect(factors[d]! / (weekly[d % 7]! / mean), `day ${d}`).toBeCloseTo(1, 2);
    }
  });

  describe('on demo data', () => {
    let folder: Awaited<ReturnType<typeof demoFolder>>;
    beforeAll(async () => {
      folder = await demoFolder(OPTIONS);
    }, 120_000);
    afterAll(() => folder.cleanup());

    it('as of T do not change when usage after T is appended, and do when T moves', async () => {
      const known = await factorsAsOf(folder.dir, T, `date <= DATE '${T}'`);
      const later = await factorsAsOf(folder.dir, T);
      expect(known.length).toBeGreaterThan(200);
      expect(later).toEqual(known);
      const moved = await factorsAsOf(folder.dir, '2025-01-14');
      const shared = new Map(moved.map((f) => [`${f.segment} ${f.date}`, f.f]));
      const changed = known.filter((f) => {
        const other = shared.get(`${f.segment} ${f.date}`);
        return other !== undefined && Math.abs(other - f.f) > 1e-9;
      });
      expect(changed.length).toBeGreaterThan(0);
    });

    it('take out the late-December dip: adjusted usage divides each day by its factor', async () => {
      const { connection, close } = await openLabDatabase();
      try {
        const tables = await loadDemoTables(connection, folder.dir);
        const metrics = [
          'active_user_ratio_30d',
          { metric: 'active_user_ratio_30d', seasonalAdjust: true },
        ];
        const at = async (asOf: string) =>
          computeMetrics(connection, { metrics, asOf: [asOf], tables });
        const mean = (rows: Awaited<ReturnType<typeof at>>['rows'], key: string) => {
          const values = rows.map((r) => r.values[key]).filter((v): v is number => v !== null);
          return values.reduce((a, b) => a + b, 0) / values.length;
        };
        const before = await at('2024-12-10');
        const during = await at('2025-01-03');
        // The demo generator cuts activity to 30-80% over Dec 17 - Jan 5, so the raw 30-day
        // ratio of Jan 3 falls by a fifth or more against Dec 10; the adjusted ratio does not.
        const rawDrop =
          mean(during.rows, 'active_user_ratio_30d') / mean(before.rows, 'active_user_ratio_30d');
        const adjustedDrop =
          mean(during.rows, 'active_user_ratio_30d@seasonal') /
          mean(before.rows, 'active_user_ratio_30d@seasonal');
        expect(rawDrop).toBeLessThan(0.85);
        expect(Math.abs(adjustedDrop - 1)).toBeLessThan(0.05);

        // One account by hand: sum over the window of active users / factor, over sum of seats.
        const account = during.rows[0]!;
        const rows = await runRows<{ active: number; seats: number; f: number | null }>(
          connection,
          `SELECT CAST(u.active_users AS DOUBLE) AS active, CAST(u.seats AS DOUBLE) AS seats,
  f.f_active_users AS f
FROM usage_daily u JOIN accounts a ON a.account_id = u.account_id
LEFT JOIN ${SEASONAL_FACTORS_TABLE} f
  ON f.segment = a.segment AND f.as_of = DATE '2025-01-03' AND f.date = u.date
WHERE u.account_id = $account AND u.date <= DATE '2025-01-03' AND u.date > DATE '2025-01-03' - 30`,
          { account: account.account_id },
        );
        expect(rows.length).toBe(30);
        expect(rows.every((r) => r.f !== null && r.f > 0)).toBe(true);
        const adjusted = rows.reduce((sum, r) => sum + r.active / r.f!, 0);
        const seats = rows.reduce((sum, r) => sum + r.seats, 0);
        expect(account.values['active_user_ratio_30d@seasonal']).toBeCloseTo(adjusted / seats, 12);
      } finally {
        close();
      }
    }, 60_000);

    it('leave raw usage where a segment has under four weeks of history, and say so', async () => {
      const { connection, close } = await openLabDatabase();
      try {
        await loadDemoTables(connection, folder.dir);
        const first = await runRows<{ day: string }>(
          connection,
          `SELECT strftime(min(date) + 10, '%Y-%m-%d') AS day FROM usage_daily`,
          {},
        );
        const early = first[0]!.day;
        const result = await prepareSeasonalFactors(connection, { asOf: [early], days: 30 });
        expect(result.warnings.length).toBeGreaterThan(0);
        expect(result.warnings[0]).toMatch(
          new RegExp(
            `^seasonal factors of segment "[^"]+" as of ${early}: .*too short.*; raw usage is used$`,
          ),
        );
        const rows = await runRows<{ n: number }>(
          connection,
          `SELECT CAST(count(*) AS DOUBLE) AS n FROM ${SEASONAL_FACTORS_TABLE}`,
          {},
        );
        expect(rows[0]!.n).toBe(0);
      } finally {
        close();
      }
    });
  });
});
