import { aggregate, defineMetric } from '../define.ts';
import type { MetricDef } from '../types.ts';

const tables = ['engagement'] as const;

function activity90d(name: string, kind: string, description: string): MetricDef {
  return defineMetric({
    name,
    description,
    family: 'engagement',
    unit: 'count',
    tables,
    seasonal: false,
    aggregates: { total: aggregate('engagement', 90, 'sum(t."count")', `t.kind = '${kind}'`) },
    value: (a) => `coalesce(${a.total}, 0)`,
  });
}

export const ENGAGEMENT_METRICS: readonly MetricDef[] = [
  activity90d(
    'email_opens_90d',
    'email_open',
    'Marketing and CS emails opened in the last 90 days.',
  ),
  activity90d(
    'events_attended_90d',
    'event',
    'Events (webinars, user groups) attended in the last 90 days.',
  ),
  activity90d(
    'community_activity_90d',
    'community',
    'Community posts and replies in the last 90 days.',
  ),
  activity90d('meetings_90d', 'meeting', 'Meetings with the account in the last 90 days.'),
  defineMetric({
    name: 'days_since_last_meeting',
    description:
      'Days from the last meeting to T. Without a meeting in the last 365 days: days since the account started, capped at 365.',
    family: 'engagement',
    unit: 'days',
    tables,
    seasonal: false,
    aggregates: {
      last: aggregate('engagement', 365, 'max(t.date)', `t.kind = 'meeting' AND t."count" > 0`),
    },
    value: (a) => `least(365, s.as_of - coalesce(${a.last}, s.start_date))`,
  }),
];
