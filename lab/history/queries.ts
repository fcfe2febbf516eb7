import { DOUBLE, INTEGER, LIST, listValue, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { TABLE_NAMES, type TableName } from '../../data/contract.ts';
import { queryRows } from '../../data/duckdb.ts';

/**
 * Read queries over the score history for the dashboards and the API. Every value is a bound
 * parameter; sort columns come from an allow list. Dates leave as YYYY-MM-DD strings and counts
 * as numbers (cast in SQL), so results are JSON-safe.
 */

export const BANDS = ['red', 'yellow', 'green'] as const;

export interface PortfolioPoint {
  asOf: string;
  accounts: number;
  arr: number;
  averageScore: number | null;
  bands: Record<(typeof BANDS)[number], { accounts: number; arr: number }>;
}

/** Accounts and ARR by band at every scored date of a model (ARR from the account profiles). */
export async function portfolioSeries(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
  range: { from?: string | undefined; to?: string | undefined },
): Promise<PortfolioPoint[]> {
  const rows = await queryRows<{
    as_of: string;
    band: string | null;
    accounts: number;
    arr: number;
    score_sum: number | null;
    scored: number;
  }>(
    connection,
    `SELECT strftime(s.as_of, '%Y-%m-%d') AS as_of, s.band,
       count(*)::INTEGER AS accounts, coalesce(sum(p.arr), 0)::DOUBLE AS arr,
       sum(s.score)::DOUBLE AS score_sum, count(s.score)::INTEGER AS scored
     FROM ${schema}.scores s LEFT JOIN ${schema}.account_profiles p USING (account_id)
     WHERE s.model_hash = $hash
       AND ($from IS NULL OR s.as_of >= CAST($from AS DATE))
       AND ($to IS NULL OR s.as_of <= CAST($to AS DATE))
     GROUP BY ALL ORDER BY as_of, band`,
    { hash, from: range.from ?? null, to: range.to ?? null },
  );
  const byDate = new Map<string, PortfolioPoint & { scoreSum: number; scored: number }>();
  for (const row of rows) {
    let point = byDate.get(row.as_of);
    if (!point) {
      point = {
        asOf: row.as_of,
        accounts: 0,
        arr: 0,
        averageScore: null,
        bands: {
          red: { accounts: 0, arr: 0 },
          yellow: { accounts: 0, arr: 0 },
          green: { accounts: 0, arr: 0 },
        },
        scoreSum: 0,
        scored: 0,
      };
      byDate.set(row.as_of, point);
    }
    point.accounts += row.accounts;
    point.arr += row.arr;
    point.scoreSum += row.score_sum ?? 0;
    point.scored += row.scored;
    if (row.band === 'red' || row.band === 'yellow' || row.band === 'green') {
      point.bands[row.band] = { accounts: row.accounts, arr: row.arr };
    }
  }
  return [...byDate.values()].map(({ scoreSum, scored, ...point }) => ({
    ...point,
    averageScore: scored > 0 ? scoreSum / scored : null,
  }));
}

/** The newest scored date of a model, or null. */
export async function latestScoredDate(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
): Promise<string | null> {
  const [row] = await queryRows<{ d: string | null }>(
    connection,
    `SELECT strftime(max(as_of), '%Y-%m-%d') AS d FROM ${schema}.scores WHERE model_hash = $hash`,
    { hash },
  );
  return row?.d ?? null;
}

export const ACCOUNT_SORTS = [
  'name',
  'score',
  'band',
  'score_change_30d',
  'arr',
  'renewal_date',
  'segment',
  'plan',
  'region',
  'owner',
  'industry',
  'account_id',
] as const;
export type AccountSort = (typeof ACCOUNT_SORTS)[number];

export interface AccountQuery {
  q?: string | undefined;
  band?: readonly string[] | undefined;
  segment?: readonly string[] | undefined;
  plan?: readonly string[] | undefined;
  region?: readonly string[] | undefined;
  owner?: readonly string[] | undefined;
  industry?: readonly string[] | undefined;
  scoreMin?: number | undefined;
  scoreMax?: number | undefined;
  /** Renewal within this many days after the scored date. */
  renewalWithinDays?: number | undefined;
  sort: AccountSort;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/** Columns of an account list row, in order; the Arrow encoding uses the same list. */
export const ACCOUNT_COLUMNS = [
  ['account_id', 'string'],
  ['name', 'string'],
  ['segment', 'string'],
  ['plan', 'string'],
  ['region', 'string'],
  ['industry', 'string'],
  ['owner', 'string'],
  ['arr', 'number'],
  ['renewal_date', 'string'],
  ['score', 'number'],
  ['band', 'string'],
  ['score_change_30d', 'number'],
] as const;

export interface AccountListRow {
  account_id: string;
  name: string;
  segment: string;
  plan: string;
  region: string;
  industry: string;
  owner: string;
  arr: number;
  renewal_date: string;
  score: number | null;
  band: string | null;
  score_change_30d: number | null;
}

const listFilter = (column: string, param: string) =>
  `($${param} IS NULL OR len($${param}) = 0 OR ${column} IN (SELECT unnest($${param})))`;

/** The latest scores joined to the account profiles, filtered, sorted and paged. */
export async function listAccounts(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
  asOf: string,
  query: AccountQuery,
): Promise<AccountList> {
  const where = [
    `($q IS NULL OR p.name ILIKE '%' || $q || '%' OR p.account_id ILIKE '%' || $q || '%')`,
    listFilter('s.band', 'band'),
    listFilter('p.segment', 'segment'),
    listFilter('p.plan', 'plan'),
    listFilter('p.region', 'region'),
    listFilter('p.owner', 'owner'),
    listFilter('p.industry', 'industry'),
    `($score_min IS NULL OR s.score >= $score_min)`,
    `($score_max IS NULL OR s.score <= $score_max)`,
    `($renewal IS NULL OR (p.renewal_date >= CAST($as_of AS DATE)
       AND p.renewal_date <= CAST($as_of AS DATE) + CAST($renewal AS INTEGER)))`,
  ].join('\n  AND ');
  const direction = query.order === 'desc' ? 'DESC' : 'ASC';
  // The sort key is from ACCOUNT_SORTS; account_id breaks ties so pages never overlap.
  const sortExpression =
    query.sort === 'band' ? `list_position(['red','yellow','green'], band)` : query.sort;
  const sql = `WITH current AS (
  SELECT s.account_id, p.name, p.segment, p.plan, p.region, p.industry, p.owner, p.arr,
    strftime(p.renewal_date, '%Y-%m-%d') AS renewal_date, s.score, s.band,
    s.score - before.score AS score_change_30d
  FROM ${schema}.scores s
  JOIN ${schema}.account_profiles p USING (account_id)
  LEFT JOIN ${schema}.scores before ON before.account_id = s.account_id
    AND before.model_hash = s.model_hash
    AND before.as_of = (SELECT max(as_of) FROM ${schema}.scores
                        WHERE model_hash = $hash AND as_of <= CAST($as_of AS DATE) - 30)
  WHERE s.model_hash = $hash AND s.as_of = CAST($as_of AS DATE)
  AND ${where}
)
SELECT *, count(*) OVER ()::INTEGER AS total FROM current
ORDER BY ${sortExpression} ${direction} NULLS LAST, account_id
LIMIT $limit OFFSET $offset`;
  const list = (values: readonly string[] | undefined) =>
    values && values.length > 0 ? listValue([...values]) : null;
  const reader = await connection.runAndReadAll(
    sql,
    {
      hash,
      as_of: asOf,
      q: query.q ?? null,
      band: list(query.band),
      segment: list(query.segment),
      plan: list(query.plan),
      region: list(query.region),
      owner: list(query.owner),
      industry: list(query.industry),
      score_min: query.scoreMin ?? null,
      score_max: query.scoreMax ?? null,
      renewal: query.renewalWithinDays ?? null,
      limit: query.limit,
      offset: query.offset,
    },
    {
      hash: VARCHAR,
      as_of: VARCHAR,
      q: VARCHAR,
      band: LIST(VARCHAR),
      segment: LIST(VARCHAR),
      plan: LIST(VARCHAR),
      region: LIST(VARCHAR),
      owner: LIST(VARCHAR),
      industry: LIST(VARCHAR),
      score_min: DOUBLE,
      score_max: DOUBLE,
      renewal: INTEGER,
      limit: INTEGER,
      offset: INTEGER,
    },
  );
  const columns = reader.getColumnsObjectJS() as Record<string, unknown[]>;
  const total = (columns.total?.[0] as number | undefined) ?? (await countAll());
  delete columns.total;
  return { total, columns, length: reader.currentRowCount };

  async function countAll(): Promise<number> {
    // An empty page (offset past the end) still needs the filtered total.
    if (query.offset === 0) return 0;
    const counted = await listAccounts(connection, schema, hash, asOf, {
      ...query,
      offset: 0,
      limit: 1,
    });
    return counted.total;
  }
}

/** A list from listAccounts, whole or in part. */
export interface AccountList {
  total: number;
  columns: Record<string, unknown[]>;
  length: number;
}

/** Rows `offset` to `offset + limit` of a whole list (from listAccounts with offset 0). */
export function accountListPage(list: AccountList, offset: number, limit: number): AccountList {
  const end = Math.min(list.length, offset + limit);
  const start = Math.min(offset, end);
  return {
    total: list.total,
    columns: Object.fromEntries(
      Object.entries(list.columns).map(([name, values]) => [name, values.slice(start, end)]),
    ),
    length: end - start,
  };
}

const profileSchema = z.object({
  account_id: z.string(),
  name: z.string(),
  segment: z.string(),
  plan: z.string(),
  region: z.string(),
  industry: z.string(),
  owner: z.string(),
  arr: z.number(),
  start_date: z.string(),
  renewal_date: z.string(),
});

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
