import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMetricsSql, METRICS_PLANS } from '../../lab/metrics/build-sql.ts';
import { listMetrics } from '../../lab/metrics/catalog.ts';
import { computeMetrics, type MetricsResult } from '../../lab/metrics/compute.ts';
import { openLabDatabase } from './helpers.ts';
import { demoFolder, loadDemoTables } from './validate/demo-data.ts';

// Dates of uneven spacing (a week, a month, a day apart), so that window edges of different
// dates interleave and some buckets are a single day.
const DATES = ['2025-01-06', '2025-01-13', '2025-02-12', '2025-02-13', '2025-03-31', '2025-06-30'];
const SIGNALS = [
  'signal:api_calls:avg_30d',
  'signal:api_calls:trend_28d',
  'signal:api_calls:latest',
];

describe('the direct and bucketed metric plans', () => {
  let folder: Awaited<ReturnType<typeof demoFolder>>;
  const results = new Map<string, MetricsResult>();
  let metrics: string[] = [];

  beforeAll(async () => {
    folder = await demoFolder({ accounts: 150, days: 400, seed: 5, endDate: '2025-06-30' });
    const { connection, close } = await openLabDatabase();
    try {
      const tables = await loadDemoTables(connection, folder.dir);
      metrics = [
        ...listMetrics(tables)
          .filter((m) => m.available)
          .map((m) => m.name),
        ...SIGNALS,
      ];
      for (const plan of METRICS_PLANS) {
        results.set(plan, await computeMetrics(connection, { metrics, asOf: DATES, tables, plan }));
      }
    } finally {
      close();
    }
  }, 120_000);

  afterAll(() => folder.cleanup());

  it('adds up partial sums only where asked, and for windowed aggregates only', () => {
    const plan = (p: 'direct' | 'bucketed') =>
      buildMetricsSql({
        metrics,
        asOf: DATES,
        tables: [
          'accounts',
          'outcomes',
          'usage_daily',
          'support_tickets',
          'engagement',
          'invoices',
          'surveys',
          'milestones',
          'signals',
        ],
        plan: p,
      }).sql;
    expect(plan('direct')).not.toContain('_parts');
    const bucketed = plan('bucketed');
    expect(bucketed).toContain('agg_usage_daily_b_parts');
    // Aggregates that look at T itself (open tickets, overdue days) keep the direct join.
    expect(bucketed).toContain('agg_support_tickets AS (');
  });

  it('give the same value for every metric, account and date', () => {
    const direct = results.get('direct')!;
    const bucketed = results.get('bucketed')!;
    const auto = results.get('auto')!;
    expect(direct.rows.length).toBeGreaterThan(DATES.length * 50);
    expect(bucketed.rows.map((r) => `${r.as_of} ${r.account_id}`)).toEqual(
      direct.rows.map((r) => `${r.as_of} ${r.account_id}`),
    );
    const mismatches: string[] = [];
    let compared = 0;
    direct.rows.forEach((row, i) => {
      for (const [label, want] of Object.entries(row.values)) {
        for (const other of [bucketed, auto]) {
          const got = other.rows[i]!.values[label];
          compared += want === null ? 0 : 1;
          const same =
            want === null || got === null || got === undefined
              ? want === got
              : Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want));
          if (!same) mismatches.push(`${row.as_of} ${row.account_id} ${label}: ${want} vs ${got}`);
        }
      }
    });
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(compared).toBeGreaterThan(1000);
  });
});
