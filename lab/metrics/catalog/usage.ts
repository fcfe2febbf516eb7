import { aggregate, defineMetric, trendAggregates, trendValue } from '../define.ts';
import type { MetricDef } from '../types.ts';

const usage = (days: number, call: string, where?: string) =>
  aggregate('usage_daily', days, call, where);
const tables = ['usage_daily'] as const;

export const USAGE_METRICS: readonly MetricDef[] = [
  defineMetric({
    name: 'active_user_ratio_30d',
    description:
      'Active users over licensed seats in the last 30 days: the sum of daily active users divided by the sum of daily seats.',
    family: 'usage',
    unit: 'ratio',
    tables,
    seasonal: true,
    aggregates: { active: usage(30, 'sum(t.active_users)'), seats: usage(30, 'sum(t.seats)') },
    value: (a) => `${a.active} / nullif(${a.seats}, 0)`,
  }),
  defineMetric({
    name: 'logins_per_active_user_30d',
    description: 'Logins per active user-day in the last 30 days.',
    family: 'usage',
    unit: 'logins per active user-day',
    tables,
    seasonal: true,
    aggregates: { logins: usage(30, 'sum(t.logins)'), active: usage(30, 'sum(t.active_users)') },
    value: (a) => `${a.logins} / nullif(${a.active}, 0)`,
  }),
  defineMetric({
    name: 'feature_breadth_30d',
    description: 'Average number of distinct features used per day in the last 30 days.',
    family: 'usage',
    unit: 'features per day',
    tables,
    seasonal: true,
    aggregates: { features: usage(30, 'avg(t.features_used)') },
    value: (a) => a.features,
  }),
  defineMetric({
    name: 'feature_events_per_active_user_30d',
    description: 'Feature interactions per active user-day in the last 30 days (depth of use).',
    family: 'usage',
    unit: 'events per active user-day',
    tables,
    seasonal: true,
    aggregates: {
      events: usage(30, 'sum(t.feature_events)'),
      active: usage(30, 'sum(t.active_users)'),
    },
    value: (a) => `${a.events} / nullif(${a.active}, 0)`,
  }),
  defineMetric({
    name: 'logins_trend_90d',
    description:
      'Trend of daily logins over 90 days: least-squares slope times 90 over the average level (-0.5: the fitted line fell by half the level). NULL with under 45 days of data or no logins.',
    family: 'usage',
    unit: 'fraction of level per 90 days',
    tables,
    seasonal: true,
    aggregates: trendAggregates('usage_daily', 't.logins', 90),
    value: (a) => trendValue(a, 90),
  }),
  defineMetric({
    name: 'active_users_trend_90d',
    description:
      'Trend of daily active users over 90 days, defined like logins_trend_90d (slope times 90 over the average level).',
    family: 'usage',
    unit: 'fraction of level per 90 days',
    tables,
    seasonal: true,
    aggregates: trendAggregates('usage_daily', 't.active_users', 90),
    value: (a) => trendValue(a, 90),
  }),
  defineMetric({
    name: 'days_since_last_login',
    description:
      'Days from the last day with a login to T (0: a login on T), capped at 90: without a login in the last 90 days, days since the account started, at most 90.',
    family: 'usage',
    unit: 'days',
    tables,
    seasonal: false,
    aggregates: { last: usage(90, 'max(t.date)', 't.logins > 0') },
    value: (a) => `least(90, s.as_of - coalesce(${a.last}, s.start_date))`,
  }),
  defineMetric({
    name: 'active_users_wow_change',
    description:
      'Week-over-week change in active users: (sum over the last 7 days - sum over the 7 days before) / the sum over the 7 days before.',
    family: 'usage',
    unit: 'relative change',
    tables,
    seasonal: true,
    // The week before is the last 14 days less the last 7: plain sums over windows ending at T.
    aggregates: {
      current: usage(7, 'sum(t.active_users)'),
      fortnight: usage(14, 'sum(t.active_users)'),
    },
    value: (a) =>
      `(${a.current} - (${a.fortnight} - coalesce(${a.current}, 0))) / nullif(${a.fortnight} - coalesce(${a.current}, 0), 0)`,
  }),
];
