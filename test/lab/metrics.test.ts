import { describe, expect, it } from 'vitest';
import { METRICS_PLANS } from '../../lab/metrics/build-sql.ts';
import { computeMetrics } from '../../lab/metrics/compute.ts';
import { listMetrics, STATIC_METRICS } from '../../lab/metrics/catalog.ts';
import { METRIC_FAMILIES } from '../../lab/metrics/types.ts';
import { baseRows, T, T2 } from './fixtures.ts';
import { withTables } from './helpers.ts';

/**
 * Expected values at T = 2024-03-31, worked out by hand from fixtures.ts.
 * A1 usage, k = days before T: 30-day window is k 0..29.
 *   active: 7*4 + 7*5 + 16*6 = 159; seats 30*10 = 300; logins sum(60-k, k<30) = 1800 - 435 = 1365.
 *   logins = 60 + x with x = date - T, so the slope is 1/day; mean logins over k 0..59 = 30.5.
 *   active users over k 0..59: sum y = 28 + 35 + 46*6 = 339; sum k*y = 4*21 + 5*70 + 6*1679 = 10508;
 *   cov(k, y) = (10508 - 29.5 * 339) / 60 = 507.5 / 60; var(k) = (60^2 - 1) / 12 = 3599 / 12;
 *   slope in x = -cov/var = -6090 / 215940; trend = slope * 90 / (339 / 60).
 * A2 usage (days 03-01..03-31): 30-day window 03-02..03-31 has 24 active days (03-02..03-25):
 *   active 48, seats 120, logins 72, events 120. Last login 03-25 (6 days). 7-day windows:
 *   03-25..03-31 active 2, 03-18..03-24 active 14. Only 30 days of data: no 90-day trend.
 */
const atT: Record<string, { A1: number | null; A2: number | null }> = {
  active_user_ratio_30d: { A1: 159 / 300, A2: 48 / 120 },
  logins_per_active_user_30d: { A1: 1365 / 159, A2: 72 / 48 },
  feature_breadth_30d: { A1: 4, A2: 1 },
  feature_events_per_active_user_30d: { A1: 360 / 159, A2: 120 / 48 },
  logins_trend_90d: { A1: 90 / 30.5, A2: null },
  active_users_trend_90d: { A1: ((-6090 / 215940) * 90) / (339 / 60), A2: null },
  days_since_last_login: { A1: 0, A2: 6 },
  active_users_wow_change: { A1: (28 - 35) / 35, A2: (2 - 14) / 14 },
  // A1: t1 (01-10), t2, t3 opened in (01-01, 03-31]; t2 open, t3 closed after T so open at T;
  // oldest open t2 opened 03-01 = 30 days; CSAT only t1 (t3 closed after T); t1 high, t3 urgent.
  // A2: t5 opened and closed on T (csat 3); t6 opened after T; seats 4 on T.
  tickets_opened_90d: { A1: 3, A2: 1 },
  tickets_per_seat_90d: { A1: 3 / 10, A2: 1 / 4 },
  open_tickets: { A1: 2, A2: 0 },
  oldest_open_ticket_age_days: { A1: 30, A2: 0 },
  csat_avg_180d: { A1: 4, A2: 3 },
  high_priority_ticket_share_90d: { A1: 2 / 3, A2: 0 },
  // A1: opens 3 + 2 (12-01 is outside); last meeting with count > 0 on 02-20: 9 + 31 = 40 days.
  // A2: nothing; no meeting since its start 30 days ago.
  email_opens_90d: { A1: 5, A2: 0 },
  events_attended_90d: { A1: 1, A2: 0 },
  community_activity_90d: { A1: 4, A2: 0 },
  meetings_90d: { A1: 1, A2: 0 },
  days_since_last_meeting: { A1: 40, A2: 30 },
  // A1: due in (2023-04-01, T]: 01-31 (paid early), 03-02 (paid 03-10: late), 03-31 (due on T,
  // unpaid: not late yet) -> 1/3, nothing overdue. A2: due 03-15, paid only 04-05: late, 16 days.
  late_payment_share_365d: { A1: 1 / 3, A2: 1 },
  days_overdue_now: { A1: 0, A2: 16 },
  // A1: last renewal event by T is 2023-06-01 expanded +1200 (the 2024-06-01 one is after T).
  arr_change_last_renewal: { A1: 1200, A2: null },
  // A1 NPS in the 365 days: 2023-11-15 (6), 2024-02-10 (8). Periods (T - date) // 91:
  // 03-20 (csat) -> 0, 02-10 -> 50 // 91 = 0, 11-15 -> 137 // 91 = 1: two of four periods.
  nps_latest: { A1: 8, A2: 9 },
  nps_change: { A1: 8 - 6, A2: null },
  survey_response_rate_365d: { A1: 2 / 4, A2: 1 / 4 },
  // Kinds reached by anyone by T: kickoff, integration_live (first_report only 04-15).
  onboarding_milestones_share: { A1: 2 / 2, A2: 1 / 2 },
  days_to_first_value: { A1: 9, A2: 7 },
  // api_calls 100..140 weekly 03-03..03-31. 28-day window (03-03, 03-31]: 110..140, slope 10/7
  // per day, mean 125, span 21 >= 14 days: (10 / 7) * 28 / 125.
  'signal:api_calls:latest': { A1: 140, A2: null },
  'signal:api_calls:avg_30d': { A1: 120, A2: null },
  'signal:api_calls:trend_28d': { A1: ((10 / 7) * 28) / 125, A2: null },
  "signal:it's:latest": { A1: null, A2: 7 },
};

/**
 * A3 at T2 = 2024-03-15: no usage, tickets, engagement, invoices, surveys or milestones; renewed
 * (0) and expanded (+300) on 2024-01-05; started 2023-01-01 = 439 days before T2.
 */
const a3AtT2: Record<string, number | null> = {
  active_user_ratio_30d: null,
  logins_trend_90d: null,
  days_since_last_login: 90,
  tickets_opened_90d: 0,
  tickets_per_seat_90d: null,
  open_tickets: 0,
  oldest_open_ticket_age_days: 0,
  csat_avg_180d: null,
  high_priority_ticket_share_90d: null,
  email_opens_90d: 0,
  meetings_90d: 0,
  days_since_last_meeting: 365,
  late_payment_share_365d: null,
  days_overdue_now: 0,
  arr_change_last_renewal: 300,
  nps_latest: null,
  survey_response_rate_365d: 0,
  onboarding_milestones_share: 0,
  days_to_first_value: 439,
};

describe('metric catalog', () => {
  it('covers every family with at least 18 metrics, each described', () => {
    expect(STATIC_METRICS.length).toBeGreaterThanOrEqual(18);
    const families = new Set(STATIC_METRICS.map((metric) => metric.family));
    for (const family of METRIC_FAMILIES.filter((f) => f !== 'custom')) {
      expect(families.has(family), family).toBe(true);
    }
    for (const metric of STATIC_METRICS) {
      expect(metric.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(metric.description.length).toBeGreaterThan(20);
      expect(metric.unit).not.toBe('');
    }
  });

  it('lists availability from the tables present', () => {
    const listed = listMetrics(['accounts', 'outcomes', 'usage_daily']);
    const ticketsPerSeat = listed.find((metric) => metric.name === 'tickets_per_seat_90d')!;
    expect(ticketsPerSeat.available).toBe(false);
    expect(ticketsPerSeat.missingTables).toEqual(['support_tickets']);
    expect(listed.find((m) => m.name === 'active_user_ratio_30d')!.available).toBe(true);
    expect(listed.find((m) => m.name === 'arr_change_last_renewal')!.available).toBe(true);
  });

  it('the expected values cover every static metric', () => {
    expect(
      Object.keys(atT)
        .filter((name) => !name.startsWith('signal:'))
        .sort(),
    ).toEqual(STATIC_METRICS.map((metric) => metric.name).sort());
  });
});

// Both plans (one row join per date, and partial sums per bucket added up) must give the
// hand-worked values; the bucketed plan runs on a single date too when asked for.
describe.each(METRICS_PLANS)('metric values on a hand-made portfolio (%s plan)', (plan) => {
  it('computes every metric as of T for the accounts active at T', async () => {
    await withTables(baseRows(), async (connection, tables) => {
      const result = await computeMetrics(connection, {
        metrics: Object.keys(atT),
        asOf: [T],
        tables,
        plan,
      });
      expect(result.rows.map((row) => row.account_id)).toEqual(['A1', 'A2']);
      for (const row of result.rows) {
        for (const [metric, expected] of Object.entries(atT)) {
          const want = expected[row.account_id as 'A1' | 'A2'];
          const got = row.values[metric];
          if (want === null) expect(got, `${row.account_id} ${metric}`).toBeNull();
          else expect(got, `${row.account_id} ${metric}`).toBeCloseTo(want, 10);
        }
      }
    });
  });

  it('reports no data as NULL and true zeros as 0 (A3 at T2), and snapshots by date', async () => {
    await withTables(baseRows(), async (connection, tables) => {
      const result = await computeMetrics(connection, {
        metrics: Object.keys(a3AtT2),
        asOf: [T, T2],
        tables,
        plan,
      });
      expect(result.rows.map((row) => `${row.as_of} ${row.account_id}`)).toEqual([
        `${T2} A1`,
        `${T2} A2`,
        `${T2} A3`,
        `${T} A1`,
        `${T} A2`,
      ]);
      const a3 = result.rows.find((row) => row.account_id === 'A3')!;
      for (const [metric, want] of Object.entries(a3AtT2)) {
        if (want === null) expect(a3.values[metric], metric).toBeNull();
        else expect(a3.values[metric], metric).toBeCloseTo(want, 10);
      }
    });
  });
});
