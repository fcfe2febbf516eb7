import { describe, expect, it } from 'vitest';
import { METRICS_PLANS, type MetricsPlan } from '../../lab/metrics/build-sql.ts';
import { computeMetrics } from '../../lab/metrics/compute.ts';
import { STATIC_METRICS } from '../../lab/metrics/catalog.ts';
import type { SourceTable } from '../../lab/metrics/types.ts';
import { addDays, baseRows, T } from './fixtures.ts';
import { appendRows, openLabDatabase, createTables, type Row, type Rows } from './helpers.ts';

const after = (days: number) => addDays(T, days);
const LATE = after(40);

/** Rows dated after T for every table, with values that would move any metric that saw them. */
const FUTURE: Record<SourceTable, Row[]> = {
  usage_daily: ['A1', 'A2'].flatMap((account) =>
    [1, 2, 3, 10, 20].map((day) => ({
      account_id: account,
      date: after(day),
      seats: 1,
      active_users: 900,
      logins: 5000,
      feature_events: 7000,
      features_used: 40,
    })),
  ),
  support_tickets: [
    {
      account_id: 'A1',
      opened_at: `${after(1)} 00:00:00`,
      closed_at: null,
      priority: 'urgent',
      csat: null,
    },
    {
      account_id: 'A2',
      opened_at: `${after(2)} 08:00:00`,
      closed_at: `${after(3)} 08:00:00`,
      priority: 'high',
      csat: 1,
    },
  ],
  engagement: [
    { account_id: 'A1', date: after(1), kind: 'meeting', count: 5 },
    { account_id: 'A1', date: after(2), kind: 'email_open', count: 50 },
    { account_id: 'A2', date: after(2), kind: 'event', count: 3 },
    { account_id: 'A2', date: after(3), kind: 'community', count: 9 },
    { account_id: 'A2', date: after(4), kind: 'meeting', count: 1 },
  ],
  invoices: [
    { account_id: 'A1', issued_on: after(1), due_on: after(5), paid_on: null, amount: 10 },
    { account_id: 'A2', issued_on: after(1), due_on: after(31), paid_on: after(35), amount: 10 },
  ],
  surveys: [
    { account_id: 'A1', date: after(1), kind: 'nps', score: 0 },
    { account_id: 'A2', date: after(5), kind: 'nps', score: 1 },
    { account_id: 'A2', date: after(6), kind: 'csat', score: 1 },
  ],
  milestones: [
    { account_id: 'A1', milestone: 'first_report', achieved_on: after(1) },
    { account_id: 'A2', milestone: 'brand_new_kind', achieved_on: after(2) },
  ],
  signals: [
    { account_id: 'A1', date: after(7), signal: 'api_calls', value: 1_000_000 },
    { account_id: 'A2', date: after(1), signal: 'api_calls', value: 5 },
    { account_id: 'A2', date: after(1), signal: "it's", value: -5 },
  ],
  outcomes: [
    { account_id: 'A1', event_date: after(10), event: 'churned', arr_delta: -1 },
    { account_id: 'A2', event_date: after(1), event: 'expanded', arr_delta: 5000 },
  ],
};

const METRICS = [
  ...STATIC_METRICS.map((metric) => metric.name),
  'signal:api_calls:latest',
  'signal:api_calls:avg_30d',
  'signal:api_calls:trend_28d',
  "signal:it's:latest",
  "signal:it's:avg_90d",
];

async function valuesAt(rows: Rows, extra: Rows, asOf: string, plan: MetricsPlan = 'auto') {
  const { connection, close } = await openLabDatabase();
  try {
    const tables = await createTables(connection, rows);
    await appendRows(connection, extra);
    const result = await computeMetrics(connection, {
      metrics: METRICS,
      asOf: [asOf],
      tables,
      plan,
    });
    return new Map(result.rows.map((row) => [row.account_id, row.values]));
  } finally {
    close();
  }
}

function same(a: number | null | undefined, b: number | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a === b;
  return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a));
}

describe('point-in-time rule', () => {
  const tables = Object.keys(FUTURE) as SourceTable[];
  const cases = tables.flatMap((table) => METRICS_PLANS.map((plan) => [table, plan] as const));

  it.each(cases)(
    'rows dated after T in %s change no metric as of T (%s plan)',
    async (table, plan) => {
      const before = await valuesAt(baseRows(), {}, T, plan);
      const withFuture = await valuesAt(baseRows(), { [table]: FUTURE[table] }, T, plan);
      expect([...withFuture.keys()]).toEqual([...before.keys()]);
      for (const [account, values] of before) {
        for (const metric of METRICS) {
          const got = withFuture.get(account)![metric];
          expect(
            same(got, values[metric]),
            `${table}: ${account} ${metric} ${values[metric]} -> ${got}`,
          ).toBe(true);
        }
      }
    },
  );

  // Guards the test above: the same rows do move metrics once they are on or before the date,
  // so "nothing changed" really means they were ignored, not that they never mattered.
  it.each(cases)(
    'the rows added to %s do change metrics once dated on or before T (%s plan)',
    async (table, plan) => {
      const before = await valuesAt(baseRows(), {}, LATE, plan);
      const withRows = await valuesAt(baseRows(), { [table]: FUTURE[table] }, LATE, plan);
      const changed = [...before].flatMap(([account, values]) =>
        METRICS.filter((metric) => !same(withRows.get(account)?.[metric], values[metric])).map(
          (metric) => `${account} ${metric}`,
        ),
      );
      expect(changed.length, table).toBeGreaterThan(0);
    },
  );

  it('counts an account only from its start until its churn', async () => {
    // A3 churned 2024-03-20; A4 starts 2024-04-10.
    const at = async (date: string) => [...(await valuesAt(baseRows(), {}, date)).keys()];
    expect(await at('2024-03-19')).toEqual(['A1', 'A2', 'A3']);
    expect(await at('2024-03-20')).toEqual(['A1', 'A2']);
    expect(await at('2024-04-09')).toEqual(['A1', 'A2']);
    expect(await at('2024-04-10')).toEqual(['A1', 'A2', 'A4']);
  });
});
