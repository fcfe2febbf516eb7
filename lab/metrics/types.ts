import type { TableName } from '../../data/contract.ts';

export const METRIC_FAMILIES = [
  'usage',
  'support',
  'engagement',
  'financial',
  'relationship',
  'milestones',
  'custom',
] as const;
export type MetricFamily = (typeof METRIC_FAMILIES)[number];

/** The tables metrics read rows from (`accounts` only feeds the snapshots). */
export type SourceTable = Exclude<TableName, 'accounts'>;

/**
 * One aggregate over a table's rows, evaluated for each snapshot (account, as of T). In `call` and
 * `where`, `t` is the table row (with the columns of its source, see sources.ts) and `d.as_of` the
 * date T. The point-in-time rule is applied by the builder, not here: only rows whose date column
 * is on or before T ever reach an aggregate.
 */
export interface Aggregate {
  table: SourceTable;
  /** Rows dated within this many days up to and including T, (T - n, T]; null: all history. */
  lookbackDays: number | null;
  /** The aggregate call, e.g. `sum(t.active_users)`. */
  call: string;
  /** An extra row condition, e.g. `t.logins > 0`. */
  where?: string;
  /**
   * `account` (default): one value per account and date. `portfolio`: one value per date over
   * every account's rows (for denominators such as "milestone kinds that exist by T").
   */
  scope?: 'account' | 'portfolio';
  /**
   * A condition on the raw table implied by `where` (e.g. `signal = $signal`). When every
   * aggregate of a table has one, the scan keeps only rows meeting one of them.
   */
  prefilter?: string;
  /**
   * Values bound as SQL parameters; `call`, `where` and `prefilter` refer to them as `$key`. The builder renames
   * them to unique parameter names, so user text (a signal name) never becomes SQL text.
   */
  params?: Record<string, string>;
}

/** A metric of the catalog: how to compute it for every account as of T. */
export interface MetricDef {
  /** snake_case, or `signal:<name>:<aggregate>` for custom signals. */
  name: string;
  description: string;
  family: MetricFamily;
  /** Unit of the raw value, for labels. */
  unit: string;
  /** Every table the metric reads (besides accounts, which every snapshot reads). */
  tables: readonly TableName[];
  /** Whether a seasonally adjusted variant can exist (daily usage series). */
  seasonal: boolean;
  aggregates: Record<string, Aggregate>;
  /**
   * The metric's SQL from its aggregates' column references and the snapshot `s` (`s.as_of`,
   * `s.start_date`, `s.segment`). NULL means "no data"; a true zero must be written as 0.
   */
  value: (a: Record<string, string>) => string;
}

/** What a caller asks for: a metric, optionally seasonally adjusted. */
export interface MetricRequest {
  metric: string;
  seasonalAdjust?: boolean;
}
