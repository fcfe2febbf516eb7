import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { TABLE_NAMES, type TableName } from '../../data/contract.ts';
import { queryRows } from '../../data/duckdb.ts';

/**
 * One account's page: what it shows (the reply schema), the activity lists, the segment spreads
 * its metrics are set against, and a way to read it all straight from the data and the state.
 * The server serves the same pages from account cards (cards.ts), written with these queries.
 */

/** An account as the account profiles hold it (the last good copy of the accounts table). */
export const accountAttributesSchema = z.object({
  account_id: z.string(),
  name: z.string(),
  segment: z.string(),
  plan: z.string(),
  region: z.string(),
  industry: z.string(),
  owner: z.string(),
  arr: z.number(),
  renewal_date: z.string(),
});

const profileSchema = accountAttributesSchema.extend({ start_date: z.string() });

const latestSchema = z.object({
  asOf: z.string(),
  score: z.number().nullable(),
  band: z.string().nullable(),
  reason: z.string().nullable(),
  components: z.array(
    z.object({
      component: z.string(),
      score: z.number().nullable(),
      weight: z.number().nullable(),
    }),
  ),
  metrics: z.array(
    z.object({
      component: z.string(),
      metric: z.string(),
      raw: z.number().nullable(),
      normalized: z.number().nullable(),
      weight: z.number().nullable(),
      contribution: z.number().nullable(),
      missing: z.string().nullable(),
    }),
  ),
});

/** One account's whole story: profile, latest score and why, history, activity, peers. */
export const accountDetailSchema = z.object({
  profile: profileSchema,
  /** Null when the model has not scored the account. */
  latest: latestSchema.nullable(),
  history: z.array(
    z.object({ asOf: z.string(), score: z.number().nullable(), band: z.string().nullable() }),
  ),
  tickets: z.array(
    z.object({
      ticket_id: z.string(),
      opened_at: z.string(),
      closed_at: z.string().nullable(),
      priority: z.string(),
      csat: z.number().int().nullable(),
    }),
  ),
  invoices: z.array(
    z.object({
      invoice_id: z.string(),
      issued_on: z.string(),
      due_on: z.string(),
      paid_on: z.string().nullable(),
      amount: z.number(),
    }),
  ),
  surveys: z.array(z.object({ date: z.string(), kind: z.string(), score: z.number() })),
  outcomes: z.array(
    z.object({ event_date: z.string(), event: z.string(), arr_delta: z.number().nullable() }),
  ),
  milestones: z.array(z.object({ milestone: z.string(), achieved_on: z.string() })),
  /**
   * Per metric of the latest score: this account's raw value against the raw values of the
   * accounts of the same segment scored at the same date (percentiles interpolated linearly;
   * null when no account of the segment has a value).
   */
  distributions: z.array(
    z.object({
      metric: z.string(),
      component: z.string(),
      value: z.number().nullable(),
      p10: z.number().nullable(),
      p25: z.number().nullable(),
      p50: z.number().nullable(),
      p75: z.number().nullable(),
      p90: z.number().nullable(),
      /** Accounts of the segment with a value. */
      accounts: z.number().int(),
    }),
  ),
  /** Signal tables that are not there (their lists are empty for that reason). */
  unavailable: z.array(z.enum(TABLE_NAMES)),
});
export type AccountDetail = z.infer<typeof accountDetailSchema>;

type ActivityKey = 'tickets' | 'invoices' | 'surveys' | 'outcomes' | 'milestones';

/**
 * The account page's lists: which rows (newest first, at most `limit`; ties broken so that every
 * way of reading them gives the same rows in the same order) and which columns.
 */
export const ACCOUNT_ACTIVITY: readonly {
  key: ActivityKey;
  table: TableName;
  columns: string;
  order: string;
  limit: number | null;
}[] = [
  {
    key: 'tickets',
    table: 'support_tickets',
    columns: `ticket_id, strftime(opened_at, '%Y-%m-%dT%H:%M:%SZ') AS opened_at,
      strftime(closed_at, '%Y-%m-%dT%H:%M:%SZ') AS closed_at, priority, csat::INTEGER AS csat`,
    order: 'opened_at DESC, ticket_id',
    limit: 50,
  },
  {
    key: 'invoices',
    table: 'invoices',
    columns: `invoice_id, strftime(issued_on, '%Y-%m-%d') AS issued_on, strftime(due_on, '%Y-%m-%d') AS due_on,
      strftime(paid_on, '%Y-%m-%d') AS paid_on, amount`,
    order: 'issued_on DESC, invoice_id',
    limit: 24,
  },
  {
    key: 'surveys',
    table: 'surveys',
    columns: `strftime(date, '%Y-%m-%d') AS date, kind, score`,
    order: 'date DESC, kind, score',
    limit: 24,
  },
  {
    key: 'outcomes',
    table: 'outcomes',
    columns: `strftime(event_date, '%Y-%m-%d') AS event_date, event, arr_delta`,
    order: 'event_date DESC, event, arr_delta',
    limit: null,
  },
  {
    key: 'milestones',
    table: 'milestones',
    columns: `milestone, strftime(achieved_on, '%Y-%m-%d') AS achieved_on`,
    order: 'achieved_on, milestone',
    limit: null,
  },
];

/**
 * The rows of an activity list of the accounts in `from` (a table or subquery with account_id):
 * `partition` numbers each account's rows in list order, as `rank`, before the columns are
 * formatted (so the order is the stored values', not their text).
 */
export function activityRows(activity: (typeof ACCOUNT_ACTIVITY)[number], where = ''): string {
  const limit = activity.limit === null ? '' : `WHERE rank <= ${activity.limit}`;
  return `SELECT account_id, rank, ${activity.columns} FROM (
      SELECT *, row_number() OVER (PARTITION BY account_id ORDER BY ${activity.order}) AS rank
      FROM ${activity.table} ${where}
    ) ${limit}`;
}

/** The spread of one metric's raw values over the accounts of a segment at one date. */
export interface MetricSpread {
  component: string;
  metric: string;
  p10: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p90: number | null;
  /** Accounts of the segment with a value. */
  accounts: number;
}

/**
 * Every metric's spread over the accounts scored in `segment` (null: accounts without one) at
 * `asOf`. The same for every account of the segment, so callers may keep it.
 */
export async function segmentSpreads(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
  segment: string | null,
  asOf: string,
): Promise<MetricSpread[]> {
  return queryRows<MetricSpread>(
    connection,
    `SELECT c.component, c.metric,
       quantile_cont(c.raw, 0.1) AS p10, quantile_cont(c.raw, 0.25) AS p25,
       quantile_cont(c.raw, 0.5) AS p50, quantile_cont(c.raw, 0.75) AS p75,
       quantile_cont(c.raw, 0.9) AS p90, count(c.raw)::INTEGER AS accounts
     FROM ${schema}.score_contributions c
     JOIN ${schema}.scores s ON s.account_id = c.account_id AND s.as_of = c.as_of
       AND s.model_hash = c.model_hash
     WHERE c.model_hash = $hash AND c.as_of = CAST($as_of AS DATE)
       AND s.segment IS NOT DISTINCT FROM $segment
     GROUP BY c.component, c.metric`,
    { hash, as_of: asOf, segment },
  );
}

export interface AccountDetailSources {
  schema: string;
  hash: string;
  /** The tables present in the data (absent ones are listed as unavailable). */
  tables: readonly TableName[];
  /** Metric spreads of a segment at a date; default: segmentSpreads on this connection. */
  spreads?: (segment: string | null, asOf: string) => Promise<MetricSpread[]>;
}

/**
 * Everything the account page shows, read straight from the data views and the state; null when
 * the account is unknown. (The server serves account cards, written with the same queries.)
 */
export async function accountDetail(
  connection: DuckDBConnection,
  accountId: string,
  sources: AccountDetailSources,
): Promise<AccountDetail | null> {
  const { schema, hash, tables } = sources;
  const spreads =
    sources.spreads ??
    ((segment: string | null, asOf: string) =>
      segmentSpreads(connection, schema, hash, segment, asOf));
  const [profile] = await queryRows<AccountDetail['profile']>(
    connection,
    `SELECT account_id, name, segment, plan, region, industry, owner, arr,
       strftime(start_date, '%Y-%m-%d') AS start_date, strftime(renewal_date, '%Y-%m-%d') AS renewal_date
     FROM ${schema}.account_profiles WHERE account_id = $id`,
    { id: accountId },
  );
  if (!profile) return null;
  const scored = await queryRows<{
    asOf: string;
    score: number | null;
    band: string | null;
    reason: string | null;
  }>(
    connection,
    `SELECT strftime(as_of, '%Y-%m-%d') AS "asOf", score, band, reason FROM ${schema}.scores
     WHERE model_hash = $hash AND account_id = $id ORDER BY as_of`,
    { hash, id: accountId },
  );
  const history = scored.map(({ asOf, score, band }) => ({ asOf, score, band }));
  const last = scored.at(-1);
  let latest: AccountDetail['latest'] = null;
  let distributions: AccountDetail['distributions'] = [];
  if (last) {
    const components = await queryRows<{
      component: string;
      score: number | null;
      weight: number | null;
    }>(
      connection,
      `SELECT component, score, weight FROM ${schema}.score_components
       WHERE model_hash = $hash AND account_id = $id AND as_of = CAST($as_of AS DATE) ORDER BY position`,
      { hash, id: accountId, as_of: last.asOf },
    );
    const metrics = await queryRows<NonNullable<AccountDetail['latest']>['metrics'][number]>(
      connection,
      `SELECT component, metric, raw, normalized, weight, contribution, missing FROM ${schema}.score_contributions
       WHERE model_hash = $hash AND account_id = $id AND as_of = CAST($as_of AS DATE) ORDER BY position`,
      { hash, id: accountId, as_of: last.asOf },
    );
    latest = {
      asOf: last.asOf,
      score: last.score,
      band: last.band,
      reason: last.reason,
      components,
      metrics,
    };
    distributions = withSpreads(metrics, await spreads(await scoredSegment(), last.asOf));
  }
  async function scoredSegment(): Promise<string | null> {
    const [row] = await queryRows<{ segment: string | null }>(
      connection,
      `SELECT segment FROM ${schema}.scores
       WHERE model_hash = $hash AND account_id = $id AND as_of = CAST($as_of AS DATE)`,
      { hash, id: accountId, as_of: last!.asOf },
    );
    return row?.segment ?? null;
  }
  const detail: AccountDetail = {
    profile,
    latest,
    history,
    tickets: [],
    invoices: [],
    surveys: [],
    outcomes: [],
    milestones: [],
    distributions,
    unavailable: [],
  };
  for (const activity of ACCOUNT_ACTIVITY) {
    if (!tables.includes(activity.table)) {
      detail.unavailable.push(activity.table);
      continue;
    }
    const rows = await queryRows<Record<string, unknown>>(
      connection,
      `${activityRows(activity, 'WHERE account_id = $id')} ORDER BY rank`,
      { id: accountId },
    );
    Object.assign(detail, {
      [activity.key]: rows.map(({ account_id: _, rank: __, ...row }) => row),
    });
  }
  return detail;
}

/** Each of the account's metrics, in score order, with its segment's spread of the metric. */
export function withSpreads(
  metrics: readonly { component: string; metric: string; raw: number | null }[],
  spreads: readonly MetricSpread[],
): AccountDetail['distributions'] {
  const byMetric = new Map(
    spreads.map((spread) => [`${spread.component}\u0000${spread.metric}`, spread]),
  );
  return metrics.map(({ component, metric, raw }) => {
    const spread = byMetric.get(`${component}\u0000${metric}`);
    return {
      metric,
      component,
      value: raw,
      p10: spread?.p10 ?? null,
      p25: spread?.p25 ?? null,
      p50: spread?.p50 ?? null,
      p75: spread?.p75 ?? null,
      p90: spread?.p90 ?? null,
      accounts: spread?.accounts ?? 0,
    };
  });
}
