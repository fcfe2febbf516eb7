/**
 * The account's activity as one list of dated events, newest first: support tickets, invoices,
 * surveys, milestones and outcomes. The timeline chart and the readable list both show it.
 */
import type { TableName } from '../../../../data/contract.ts';
import type { AccountDetail } from '../../api/account.ts';
import type { TimelineEvent, TimelineKind } from '../../charts/account.ts';
import { formatDay } from '../../lib/format.ts';
import { formatMoney, formatSignedCount } from '../overview/numbers.ts';

type Activity = Pick<
  AccountDetail,
  'tickets' | 'invoices' | 'surveys' | 'milestones' | 'outcomes' | 'asOf'
>;

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function timelineEvents(detail: Activity): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const ticket of detail.tickets) {
    const state = ticket.closed_at ? `closed ${formatDay(ticket.closed_at)}` : 'still open';
    const csat = ticket.csat === null ? '' : `, CSAT ${ticket.csat}`;
    events.push({
      date: formatDay(ticket.opened_at),
      kind: 'Ticket',
      label: `Ticket ${ticket.ticket_id} opened (${ticket.priority} priority)`,
      detail: `${capitalise(state)}${csat}`,
    });
  }
  for (const invoice of detail.invoices) {
    let state: string;
    if (invoice.paid_on) state = `paid ${formatDay(invoice.paid_on)}`;
    else if (formatDay(invoice.due_on) < detail.asOf) state = 'unpaid and overdue';
    else state = 'unpaid';
    events.push({
      date: formatDay(invoice.issued_on),
      kind: 'Invoice',
      label: `Invoice ${invoice.invoice_id} issued for ${formatMoney(invoice.amount)}`,
      detail: `Due ${formatDay(invoice.due_on)}, ${state}`,
    });
  }
  for (const survey of detail.surveys) {
    events.push({
      date: formatDay(survey.date),
      kind: 'Survey',
      label: `${survey.kind.toUpperCase()} survey answered: ${survey.score}`,
      detail: '',
    });
  }
  for (const milestone of detail.milestones) {
    events.push({
      date: formatDay(milestone.achieved_on),
      kind: 'Milestone',
      label: `Milestone reached: ${milestone.milestone.replaceAll('_', ' ')}`,
      detail: '',
    });
  }
  for (const outcome of detail.outcomes) {
    const delta =
      outcome.arr_delta === null || outcome.arr_delta === 0
        ? ''
        : `ARR ${formatSignedCount(outcome.arr_delta)}`;
    events.push({
      date: formatDay(outcome.event_date),
      kind: 'Outcome',
      label: capitalise(outcome.event),
      detail: delta,
    });
  }
  const order: Record<TimelineKind, number> = {
    Outcome: 0,
    Milestone: 1,
    Invoice: 2,
    Survey: 3,
    Ticket: 4,
  };
  return events.sort((a, b) => b.date.localeCompare(a.date) || order[a.kind] - order[b.kind]);
}

/** The tables behind each kind of event, to say which kinds are missing from the data. */
export const KIND_TABLES: Record<TimelineKind, TableName> = {
  Ticket: 'support_tickets',
  Invoice: 'invoices',
  Survey: 'surveys',
  Milestone: 'milestones',
  Outcome: 'outcomes',
};
