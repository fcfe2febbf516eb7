import { aggregate, defineMetric } from '../define.ts';
import type { MetricDef } from '../types.ts';

/** Invoices are placed in time by issued_on; every invoice issued by T is read. */
const invoices = (call: string, where: string) => aggregate('invoices', null, call, where);
const DUE_IN_365D = 't.due_on <= d.as_of AND t.due_on > d.as_of - 365';
/** Paid as known at T: a payment after T is not known yet, so the invoice counts as unpaid. */
const PAID_BY_T = 'CASE WHEN t.paid_on <= d.as_of THEN t.paid_on END';
const RENEWAL_EVENTS = "t.event IN ('renewed', 'expanded', 'contracted')";

export const FINANCIAL_METRICS: readonly MetricDef[] = [
  defineMetric({
    name: 'late_payment_share_365d',
    description:
      'Share of the invoices due in the last 365 days that were paid after their due date or are still unpaid past it at T (an invoice due on T and unpaid is not late yet). NULL when none fell due.',
    family: 'financial',
    unit: 'ratio',
    tables: ['invoices'],
    seasonal: false,
    aggregates: {
      late: invoices('count(*)', `${DUE_IN_365D} AND coalesce(${PAID_BY_T}, d.as_of) > t.due_on`),
      due: invoices('count(*)', DUE_IN_365D),
    },
    value: (a) => `${a.late} / nullif(${a.due}, 0)`,
  }),
  defineMetric({
    name: 'days_overdue_now',
    description:
      'Days past due of the oldest invoice unpaid at T (0 when nothing is overdue; a payment after T does not count).',
    family: 'financial',
    unit: 'days',
    tables: ['invoices'],
    seasonal: false,
    aggregates: {
      overdue: invoices(
        'max(d.as_of - t.due_on)',
        '(t.paid_on IS NULL OR t.paid_on > d.as_of) AND t.due_on < d.as_of',
      ),
    },
    value: (a) => `coalesce(${a.overdue}, 0)`,
  }),
  defineMetric({
    name: 'arr_change_last_renewal',
    description:
      'ARR change (arr_delta) at the last renewal on or before T: the renewed, expanded and contracted outcomes of the latest date with any of them, summed. NULL before a first renewal.',
    family: 'financial',
    unit: 'currency',
    tables: ['outcomes'],
    seasonal: false,
    aggregates: {
      last: aggregate('outcomes', null, 'max(t.event_date)', RENEWAL_EVENTS),
      events: aggregate(
        'outcomes',
        null,
        "list({'event_on': t.event_date, 'delta': t.arr_delta})",
        RENEWAL_EVENTS,
      ),
    },
    value: (a) =>
      `list_sum(list_transform(list_filter(${a.events}, lambda e: e.event_on = ${a.last}), lambda e: e.delta))`,
  }),
];
