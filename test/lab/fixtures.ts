import type { Row, Rows } from './helpers.ts';

/**
 * A tiny hand-made portfolio. The expected metric values in metrics.test.ts are worked out by
 * hand from these rows (see the comments there), not by running the SQL.
 *
 * T = 2024-03-31 (a leap year: T - 30 = 03-01, T - 90 = 01-01, T - 180 = 2023-10-03,
 * T - 365 = 2023-04-01). T2 = 2024-03-15.
 *
 * A1  SMB         started 2022-06-01, active throughout.
 * A2  Enterprise  started 2024-03-01 (30 days before T).
 * A3  SMB         started 2023-01-01, churned 2024-03-20: active at T2, not at T.
 * A4  Mid-Market  starts 2024-04-10: active at neither date.
 */
export const T = '2024-03-31';
export const T2 = '2024-03-15';

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * A1: 60 days of usage, 2024-02-01..03-31; k = days before T (0..59).
 * seats 10; active users 4 for k 0-6, 5 for k 7-13, 6 for k >= 14; logins 60 - k;
 * feature_events 12; features_used 3 on even k, 5 on odd k.
 */
const usageA1: Row[] = Array.from({ length: 60 }, (_, k) => ({
  account_id: 'A1',
  date: addDays(T, -k),
  seats: 10,
  active_users: k <= 6 ? 4 : k <= 13 ? 5 : 6,
  logins: 60 - k,
  feature_events: 12,
  features_used: k % 2 === 0 ? 3 : 5,
}));

/**
 * A2: 2024-03-01..03-31 (day d = 1..31). seats 4; through day 25: 2 active users, 3 logins,
 * 5 feature events; from day 26: all 0. features_used 1 every day.
 */
const usageA2: Row[] = Array.from({ length: 31 }, (_, i) => {
  const day = i + 1;
  const on = day <= 25;
  return {
    account_id: 'A2',
    date: addDays('2024-03-01', i),
    seats: 4,
    active_users: on ? 2 : 0,
    logins: on ? 3 : 0,
    feature_events: on ? 5 : 0,
    features_used: 1,
  };
});

export function baseRows(): Rows {
  return {
    accounts: [
      { account_id: 'A1', segment: 'SMB', start_date: '2022-06-01' },
      { account_id: 'A2', segment: 'Enterprise', start_date: '2024-03-01' },
      { account_id: 'A3', segment: 'SMB', start_date: '2023-01-01' },
      { account_id: 'A4', segment: 'Mid-Market', start_date: '2024-04-10' },
    ],
    outcomes: [
      { account_id: 'A1', event_date: '2023-06-01', event: 'expanded', arr_delta: 1200 },
      { account_id: 'A1', event_date: '2024-06-01', event: 'contracted', arr_delta: -500 },
      { account_id: 'A3', event_date: '2024-01-05', event: 'renewed', arr_delta: 0 },
      { account_id: 'A3', event_date: '2024-01-05', event: 'expanded', arr_delta: 300 },
      { account_id: 'A3', event_date: '2024-03-20', event: 'churned', arr_delta: -10300 },
    ],
    usage_daily: [...usageA1, ...usageA2],
    support_tickets: [
      // t1: closed long before T, in the 90- and 180-day windows.
      t('t1', 'A1', '2024-01-10 09:00:00', '2024-01-12 10:00:00', 'high', 4),
      // t2: still open.
      t('t2', 'A1', '2024-03-01 08:00:00', null, 'normal', null),
      // t3: closed after T, so open at T and its rating unknown at T.
      t('t3', 'A1', '2024-03-20 12:00:00', '2024-04-02 09:00:00', 'urgent', 2),
      // t4: outside every window.
      t('t4', 'A1', '2023-09-01 10:00:00', '2023-09-03 10:00:00', 'low', 5),
      // t5: opened and closed late on T itself.
      t('t5', 'A2', '2024-03-31 23:30:00', '2024-03-31 23:50:00', 'normal', 3),
      // t6: opened after T.
      t('t6', 'A2', '2024-04-01 00:10:00', null, 'urgent', null),
    ],
    engagement: [
      e('A1', '2024-03-10', 'email_open', 3),
      e('A1', '2024-02-15', 'email_open', 2),
      e('A1', '2023-12-01', 'email_open', 10),
      e('A1', '2024-03-05', 'event', 1),
      e('A1', '2024-03-28', 'community', 4),
      e('A1', '2024-02-20', 'meeting', 1),
      e('A1', '2024-03-29', 'meeting', 0),
    ],
    invoices: [
      inv('A1', '2024-01-01', '2024-01-31', '2024-01-20'),
      inv('A1', '2024-02-01', '2024-03-02', '2024-03-10'),
      inv('A1', '2024-03-01', '2024-03-31', null),
      inv('A1', '2022-12-01', '2022-12-31', '2023-03-01'),
      inv('A2', '2024-03-01', '2024-03-15', '2024-04-05'),
    ],
    surveys: [
      s('A1', '2023-01-10', 'nps', 2),
      s('A1', '2023-11-15', 'nps', 6),
      s('A1', '2024-02-10', 'nps', 8),
      s('A1', '2024-03-20', 'csat', 4),
      s('A2', '2024-03-25', 'nps', 9),
    ],
    milestones: [
      { account_id: 'A1', milestone: 'kickoff', achieved_on: '2022-06-10' },
      { account_id: 'A1', milestone: 'integration_live', achieved_on: '2022-07-15' },
      { account_id: 'A2', milestone: 'kickoff', achieved_on: '2024-03-08' },
      { account_id: 'A2', milestone: 'first_report', achieved_on: '2024-04-15' },
    ],
    signals: [
      ...[100, 110, 120, 130, 140].map((value, week) => ({
        account_id: 'A1',
        date: addDays('2024-03-03', 7 * week),
        signal: 'api_calls',
        value,
      })),
      { account_id: 'A2', date: '2024-03-30', signal: "it's", value: 7 },
    ],
  };
}

function t(
  ticket_id: string,
  account_id: string,
  opened_at: string,
  closed_at: string | null,
  priority: string,
  csat: number | null,
): Row {
  return { ticket_id, account_id, opened_at, closed_at, priority, csat };
}
function e(account_id: string, date: string, kind: string, count: number): Row {
  return { account_id, date, kind, count };
}
function inv(account_id: string, issued_on: string, due_on: string, paid_on: string | null): Row {
  return { account_id, issued_on, due_on, paid_on, amount: 1000 };
}
function s(account_id: string, date: string, kind: string, score: number): Row {
  return { account_id, date, kind, score };
}

export { addDays };
