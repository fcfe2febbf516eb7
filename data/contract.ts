import { z } from 'zod';

/**
 * The data contract: the tables Vitals reads from DATA_DIR, their columns and the checks each
 * table gets. Column names are fixed; extra columns in a file are allowed and ignored.
 *
 * `family` says which Parquet/DuckDB types are accepted for a column; `duckdbType` is the type
 * the column has in the view Vitals builds over the files, so every query downstream sees one type.
 */
export type ColumnFamily = 'id' | 'string' | 'integer' | 'number' | 'date' | 'timestamp';

export interface ColumnSpec {
  name: string;
  family: ColumnFamily;
  duckdbType: 'VARCHAR' | 'BIGINT' | 'DOUBLE' | 'DATE' | 'TIMESTAMP';
  nullable: boolean;
  /** Allowed values for categorical columns. */
  values?: readonly string[];
  /** Inclusive numeric range. */
  min?: number;
  max?: number;
  /** Dates in this column may lie after today (e.g. a renewal date); others may not. */
  mayBeFuture?: boolean;
  description: string;
}

/** Two date columns of one row that must be in order (`earlier` on or before `later`). */
export interface DateOrder {
  earlier: string;
  later: string;
}

/** A range for `column` that applies instead of its own min/max in rows where `when` holds. */
export interface ConditionalRange {
  column: string;
  when: { column: string; equals: string };
  min: number;
  max: number;
}

export interface TableSpec {
  name: TableName;
  required: boolean;
  description: string;
  columns: readonly ColumnSpec[];
  /** Columns that together must be unique. */
  key: readonly string[];
  /** The column that places a row in time (for date ranges, future checks and sorting). */
  dateColumn: string | null;
  /** Date pairs out of order are reported as warnings (e.g. a ticket closed before it opened). */
  dateOrder?: readonly DateOrder[];
  conditionalRanges?: readonly ConditionalRange[];
}

export const TABLE_NAMES = [
  'accounts',
  'outcomes',
  'usage_daily',
  'support_tickets',
  'engagement',
  'invoices',
  'surveys',
  'milestones',
  'signals',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export const SEGMENTS = ['SMB', 'Mid-Market', 'Enterprise'] as const;
export const OUTCOME_EVENTS = ['churned', 'renewed', 'expanded', 'contracted'] as const;
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const ENGAGEMENT_KINDS = ['email_open', 'event', 'community', 'meeting'] as const;
export const SURVEY_KINDS = ['nps', 'csat'] as const;

const id = (name: string, description: string): ColumnSpec => ({
  name,
  family: 'id',
  duckdbType: 'VARCHAR',
  nullable: false,
  description,
});
const str = (name: string, description: string, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name,
  family: 'string',
  duckdbType: 'VARCHAR',
  nullable: false,
  description,
  ...extra,
});
const int = (name: string, description: string, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name,
  family: 'integer',
  duckdbType: 'BIGINT',
  nullable: false,
  min: 0,
  description,
  ...extra,
});
const num = (name: string, description: string, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name,
  family: 'number',
  duckdbType: 'DOUBLE',
  nullable: false,
  description,
  ...extra,
});
const date = (name: string, description: string, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name,
  family: 'date',
  duckdbType: 'DATE',
  nullable: false,
  description,
  ...extra,
});
const ts = (name: string, description: string, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name,
  family: 'timestamp',
  duckdbType: 'TIMESTAMP',
  nullable: false,
  description,
  ...extra,
});

export const CONTRACT: readonly TableSpec[] = [
  {
    name: 'accounts',
    required: true,
    description: 'One row per customer account.',
    key: ['account_id'],
    dateColumn: 'start_date',
    columns: [
      id('account_id', 'Stable account identifier.'),
      str('name', 'Account name.'),
      str('segment', 'Customer segment, e.g. SMB, Mid-Market, Enterprise.'),
      str('plan', 'Subscription plan.'),
      str('region', 'Sales region.'),
      str('industry', 'Industry.'),
      num('arr', 'Current annual recurring revenue.', { min: 0 }),
      date('start_date', 'Contract start.'),
      date('renewal_date', 'Next renewal date (may lie in the future).', { mayBeFuture: true }),
      str('owner', 'Customer success manager.'),
    ],
    dateOrder: [{ earlier: 'start_date', later: 'renewal_date' }],
  },
  {
    name: 'outcomes',
    required: true,
    description: 'What really happened: the ground truth that models are validated against.',
    key: ['account_id', 'event_date', 'event'],
    dateColumn: 'event_date',
    columns: [
      id('account_id', 'Account.'),
      date('event_date', 'When it happened.'),
      str('event', 'churned, renewed, expanded or contracted.', { values: OUTCOME_EVENTS }),
      num('arr_delta', 'Change in ARR caused by the event (negative for churn and contraction).'),
    ],
  },
  {
    name: 'usage_daily',
    required: false,
    description: 'Product usage, one row per account and day.',
    key: ['account_id', 'date'],
    dateColumn: 'date',
    columns: [
      id('account_id', 'Account.'),
      date('date', 'Day.'),
      int('seats', 'Licensed seats.'),
      int('active_users', 'Distinct users active that day.'),
      int('logins', 'Logins that day.'),
      int('feature_events', 'Feature interactions that day.'),
      int('features_used', 'Distinct features used that day.'),
    ],
  },
  {
    name: 'support_tickets',
    required: false,
    description: 'Support tickets.',
    key: ['ticket_id'],
    dateColumn: 'opened_at',
    columns: [
      id('ticket_id', 'Ticket identifier.'),
      id('account_id', 'Account.'),
      ts('opened_at', 'When the ticket was opened.'),
      ts('closed_at', 'When it was closed; null while open.', { nullable: true }),
      str('priority', 'low, normal, high or urgent.', { values: TICKET_PRIORITIES }),
      int('csat', 'Satisfaction rating 1-5 after closing; null if not rated.', {
        nullable: true,
        min: 1,
        max: 5,
      }),
    ],
    dateOrder: [{ earlier: 'opened_at', later: 'closed_at' }],
  },
  {
    name: 'engagement',
    required: false,
    description: 'Engagement activity counts by day and kind.',
    key: ['account_id', 'date', 'kind'],
    dateColumn: 'date',
    columns: [
      id('account_id', 'Account.'),
      date('date', 'Day.'),
      str('kind', 'email_open, event, community or meeting.', { values: ENGAGEMENT_KINDS }),
      int('count', 'How many that day.'),
    ],
  },
  {
    name: 'invoices',
    required: false,
    description: 'Invoices and their payment.',
    key: ['invoice_id'],
    dateColumn: 'issued_on',
    columns: [
      id('invoice_id', 'Invoice identifier.'),
      id('account_id', 'Account.'),
      date('issued_on', 'Issue date.'),
      date('due_on', 'Due date (may lie in the future for a recent invoice).', {
        mayBeFuture: true,
      }),
      date('paid_on', 'Payment date; null while unpaid.', { nullable: true }),
      num('amount', 'Invoice amount.', { min: 0 }),
    ],
    dateOrder: [{ earlier: 'issued_on', later: 'due_on' }],
  },
  {
    name: 'surveys',
    required: false,
    description: 'Survey responses (NPS 0-10, CSAT 1-5).',
    key: ['account_id', 'date', 'kind'],
    dateColumn: 'date',
    columns: [
      id('account_id', 'Account.'),
      date('date', 'Response date.'),
      str('kind', 'nps or csat.', { values: SURVEY_KINDS }),
      num('score', 'NPS 0-10 or CSAT 1-5.', { min: 0, max: 10 }),
    ],
    conditionalRanges: [
      { column: 'score', when: { column: 'kind', equals: 'nps' }, min: 0, max: 10 },
      { column: 'score', when: { column: 'kind', equals: 'csat' }, min: 1, max: 5 },
    ],
  },
  {
    name: 'milestones',
    required: false,
    description: 'Onboarding and adoption milestones reached (one row per milestone reached).',
    key: ['account_id', 'milestone'],
    dateColumn: 'achieved_on',
    columns: [
      id('account_id', 'Account.'),
      str('milestone', 'Milestone name.'),
      date('achieved_on', 'When it was reached.'),
    ],
  },
  {
    name: 'signals',
    required: false,
    description: 'Any custom numeric signal, long format.',
    key: ['account_id', 'date', 'signal'],
    dateColumn: 'date',
    columns: [
      id('account_id', 'Account.'),
      date('date', 'Day.'),
      str('signal', 'Signal name.'),
      num('value', 'Value.'),
    ],
  },
];

export function tableSpec(name: TableName): TableSpec {
  const spec = CONTRACT.find((table) => table.name === name);
  if (!spec) throw new Error(`unknown table ${name}`);
  return spec;
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** Row shapes as the API hands them out (dates as ISO strings). */
export const accountRowSchema = z.object({
  account_id: z.string(),
  name: z.string(),
  segment: z.string(),
  plan: z.string(),
  region: z.string(),
  industry: z.string(),
  arr: z.number().nonnegative(),
  start_date: isoDate,
  renewal_date: isoDate,
  owner: z.string(),
});
export type AccountRow = z.infer<typeof accountRowSchema>;

export const outcomeRowSchema = z.object({
  account_id: z.string(),
  event_date: isoDate,
  event: z.enum(OUTCOME_EVENTS),
  arr_delta: z.number(),
});
export type OutcomeRow = z.infer<typeof outcomeRowSchema>;
