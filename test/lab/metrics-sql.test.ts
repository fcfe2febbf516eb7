import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../lab/errors.ts';
import { buildMetricsSql } from '../../lab/metrics/build-sql.ts';
import { computeMetrics } from '../../lab/metrics/compute.ts';
import { trendAggregates } from '../../lab/metrics/define.ts';
import { baseRows, T } from './fixtures.ts';
import { withTables } from './helpers.ts';

import { TABLE_NAMES } from '../../data/contract.ts';

const GOLDEN = new URL('./golden/metrics-small.sql', import.meta.url);
const ALL_TABLES = TABLE_NAMES;

const small = () =>
  buildMetricsSql({
    metrics: [
      'active_user_ratio_30d',
      'days_since_last_login',
      'tickets_opened_90d',
      'open_tickets',
      'signal:api_calls:avg_30d',
    ],
    asOf: ['2024-03-31'],
    tables: ALL_TABLES,
  });

describe('generated metric SQL', () => {
  it('matches the committed golden file (regenerate deliberately with UPDATE_GOLDEN=1)', () => {
    const plan = small();
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, `${plan.sql}\n`);
    expect(`${plan.sql}\n`).toBe(readFileSync(GOLDEN, 'utf8'));
    expect(plan.params).toEqual({
      as_of: ['2024-03-31'],
      first_as_of: '2024-03-31',
      last_as_of: '2024-03-31',
      p0: 'api_calls',
    });
    expect(plan.columns.map((c) => `${c.alias}=${c.metric}`)).toEqual([
      'm0=active_user_ratio_30d',
      'm1=days_since_last_login',
      'm2=tickets_opened_90d',
      'm3=open_tickets',
      'm4=signal:api_calls:avg_30d',
    ]);
  });

  it('reads each needed table once and no other signal table', () => {
    const plan = small();
    const reads = (table: string) => plan.sql.split(new RegExp(`FROM ${table}\\b`)).length - 1;
    expect(reads('usage_daily')).toBe(1);
    expect(reads('support_tickets')).toBe(1);
    expect(reads('signals')).toBe(1);
    for (const table of ['engagement', 'invoices', 'surveys', 'milestones']) {
      expect(reads(table), table).toBe(0);
    }
    expect(plan.tablesRead).toEqual(['usage_daily', 'support_tickets', 'signals']);
  });

  it('binds signal names as values: quotes and SQL in a name stay data', async () => {
    const name = "signal:x'); DROP TABLE accounts; --:latest";
    const plan = buildMetricsSql({ metrics: [name], asOf: [T], tables: ALL_TABLES });
    expect(plan.sql).not.toContain('DROP');
    expect(plan.params.p0).toBe("x'); DROP TABLE accounts; --");
    await withTables(baseRows(), async (connection, tables) => {
      const result = await computeMetrics(connection, { metrics: [name], asOf: [T], tables });
      expect(result.rows.map((row) => row.values[name])).toEqual([null, null]);
    });
  });

  it('rejects unknown metrics with the known ones listed', () => {
    const call = () => buildMetricsSql({ metrics: ['foo'], asOf: [T], tables: ALL_TABLES });
    expect(call).toThrow(LabError);
    expect(call).toThrow(/^unknown metric "foo"; known: active_user_ratio_30d, /);
    expect(() =>
      buildMetricsSql({ metrics: ['signal:x:avg_0d'], asOf: [T], tables: ALL_TABLES }),
    ).toThrow('"signal:x:avg_0d": the window must be 1 to 730 days');
  });

  it('reports metrics whose table is absent as unavailable, never as zeros', () => {
    let error: unknown;
    try {
      buildMetricsSql({
        metrics: ['tickets_opened_90d', 'active_user_ratio_30d', 'tickets_per_seat_90d'],
        asOf: [T],
        tables: ['accounts', 'outcomes'],
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).code).toBe('metric_unavailable');
    expect((error as LabError).message).toBe(
      'metric "tickets_opened_90d" needs table support_tickets, which is not in the data; ' +
        'metric "active_user_ratio_30d" needs table usage_daily, which is not in the data; ' +
        'metric "tickets_per_seat_90d" needs table support_tickets and usage_daily, which are not in the data',
    );
  });

  it('validates dates and the required tables', () => {
    expect(() =>
      buildMetricsSql({ metrics: [], asOf: ['2024-02-30'], tables: ALL_TABLES }),
    ).toThrow('asOf: "2024-02-30" is not a date written YYYY-MM-DD');
    expect(() => buildMetricsSql({ metrics: [], asOf: [T], tables: ['accounts'] })).toThrow(
      'metrics need the required table outcomes',
    );
  });

  it('reads adjusted usage for seasonal_adjust, and accepts it only for usage series', () => {
    const plan = buildMetricsSql({
      metrics: [{ metric: 'active_user_ratio_30d', seasonalAdjust: true }, 'active_user_ratio_30d'],
      asOf: [T],
      tables: ALL_TABLES,
    });
    expect(plan.columns.map((c) => c.label)).toEqual([
      'active_user_ratio_30d@seasonal',
      'active_user_ratio_30d',
    ]);
    expect(plan.warnings).toEqual([]);
    // The adjusted and raw values come from separate reads; the adjusted one joins the factors
    // of the 30 days its window covers.
    expect(plan.seasonalDays).toBe(30);
    expect(plan.sql).toContain('agg_usage_daily_sa AS (');
    expect(plan.sql).toContain('LEFT JOIN vitals_seasonal_factors f');
    expect(plan.sql).toContain('t.active_users / coalesce(f.f_active_users, 1) AS active_users');
    expect(plan.sql).toContain('agg_usage_daily AS (');
    expect(() =>
      buildMetricsSql({
        metrics: [{ metric: 'nps_latest', seasonalAdjust: true }],
        asOf: [T],
        tables: ALL_TABLES,
      }),
    ).toThrow('metric "nps_latest" has no seasonally adjusted variant');
  });

  it('computes the day sums of both usage trends once, and seats from bucket partials', () => {
    const plan = buildMetricsSql({
      metrics: ['logins_trend_90d', 'active_users_trend_90d', 'tickets_per_seat_90d'],
      asOf: ['2024-01-31', '2024-02-29', '2024-03-31'],
      tables: ALL_TABLES,
    });
    const start = plan.sql.indexOf('agg_usage_daily_b_parts AS');
    const parts = plan.sql.slice(start, plan.sql.indexOf('\n)', start));
    const partCalls = [...parts.matchAll(/^\s+(.+) AS q\d+,?$/gm)].map((m) => m[1]);
    // n, Sx, Sxx, first and last day are shared; Sy and Sxy are per series; seats is the value
    // on the bucket's latest day, whose date is the shared last day.
    expect(partCalls).toHaveLength(10);
    expect(partCalls.filter((call) => call === 'max(t.date)')).toHaveLength(1);
    expect(partCalls.filter((call) => call === 'count(*)')).toHaveLength(1);
    expect(partCalls).toContain('arg_max(t.seats, t.date)');
    expect(plan.sql).not.toMatch(/agg_usage_daily AS/);
  });

  it('refuses a trend over a column that may be missing', () => {
    expect(() => trendAggregates('support_tickets', 't.csat', 90)).toThrow(/may be missing/);
  });
});
