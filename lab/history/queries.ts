import { DOUBLE, INTEGER, LIST, listValue, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
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
