import { aggregate, defineMetric } from '../define.ts';
import type { MetricDef } from '../types.ts';

/** Ticket rows carry `opened_on` and `closed_on`: the days of opened_at and closed_at. */
const tickets = (days: number | null, call: string, where?: string) =>
  aggregate('support_tickets', days, call, where);
/** Open at the end of day T: a ticket closed after T was still open then. */
const OPEN_AT_T = 't.closed_on IS NULL OR t.closed_on > d.as_of';
const tables = ['support_tickets'] as const;

export const SUPPORT_METRICS: readonly MetricDef[] = [
  defineMetric({
    name: 'tickets_opened_90d',
    description: 'Support tickets opened in the last 90 days (0 when none).',
    family: 'support',
    unit: 'tickets',
    tables,
    seasonal: false,
    aggregates: { opened: tickets(90, 'count(*)') },
    value: (a) => `coalesce(${a.opened}, 0)`,
  }),
  defineMetric({
    name: 'tickets_per_seat_90d',
    description:
      'Support tickets opened in the last 90 days per licensed seat (seats on the latest usage day within 30 days of T).',
    family: 'support',
    unit: 'tickets per seat',
    tables: ['support_tickets', 'usage_daily'],
    seasonal: false,
    aggregates: {
      opened: tickets(90, 'count(*)'),
      seats: aggregate('usage_daily', 30, 'arg_max(t.seats, t.date)'),
    },
    value: (a) => `coalesce(${a.opened}, 0) / nullif(${a.seats}, 0)`,
  }),
  defineMetric({
    name: 'open_tickets',
    description: 'Tickets open at the end of day T (opened by T and not closed by T; 0 when none).',
    family: 'support',
    unit: 'tickets',
    tables,
    seasonal: false,
    aggregates: { open: tickets(null, 'count(*)', OPEN_AT_T) },
    value: (a) => `coalesce(${a.open}, 0)`,
  }),
  defineMetric({
    name: 'oldest_open_ticket_age_days',
    description: 'Age in days of the oldest ticket open at T (0 when no ticket is open).',
    family: 'support',
    unit: 'days',
    tables,
    seasonal: false,
    aggregates: { age: tickets(null, 'max(d.as_of - t.opened_on)', OPEN_AT_T) },
    value: (a) => `coalesce(${a.age}, 0)`,
  }),
  defineMetric({
    name: 'csat_avg_180d',
    description:
      'Average CSAT (1-5) of tickets opened in the last 180 days and closed by T (a rating is only known after closing).',
    family: 'support',
    unit: 'CSAT 1-5',
    tables,
    seasonal: false,
    aggregates: { csat: tickets(180, 'avg(t.csat)', 't.closed_on <= d.as_of') },
    value: (a) => a.csat,
  }),
  defineMetric({
    name: 'high_priority_ticket_share_90d',
    description:
      'Share of the tickets opened in the last 90 days with priority high or urgent (NULL without tickets).',
    family: 'support',
    unit: 'ratio',
    tables,
    seasonal: false,
    aggregates: {
      high: tickets(90, 'count(*)', "t.priority IN ('high', 'urgent')"),
      opened: tickets(90, 'count(*)'),
    },
    value: (a) => `${a.high} / nullif(${a.opened}, 0)`,
  }),
];
