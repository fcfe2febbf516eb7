import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import type { TableName } from '../../data/contract.ts';
import { runRows } from '../run.ts';
import { COHORT_FIELDS, type CohortField } from '../seasonality/index.ts';
import { shiftDate } from './history.ts';

/**
 * Health and churn by cohort (segment, plan, region, industry, owner or start quarter). Cohort
 * attributes and ARR come from the account profiles (the last good copy of the accounts table),
 * as in the account list; churn comes from the data's `outcomes` events 'churned'.
 *
 * "Active at T" follows the point-in-time rule: started on or before T and not churned by T.
 * A churn rate over (T0, T1] is the accounts of the cohort with a churn event in that window over
 * the accounts active at T0.
 */

export const cohortReplySchema = z.object({
  model: z.object({ hash: z.string(), name: z.string() }),
  asOf: z.string(),
  by: z.enum(COHORT_FIELDS),
  cohorts: z.array(
    z.object({
      cohort: z.string(),
      /** Accounts active (scored) at asOf and their ARR. */
      accounts: z.number().int(),
      arr: z.number(),
      /** Mean of the scores at asOf; null when no account has a score. */
      averageScore: z.number().nullable(),
      /** Red accounts over accounts with a score at asOf. */
      shareRed: z.number().nullable(),
      /** Accounts active at asOf - 365 days (the denominator of churnRate12m). */
      activeYearAgo: z.number().int().nullable(),
      /** Accounts with a churn event in (asOf - 365 days, asOf]. */
      churned12m: z.number().int().nullable(),
      churnRate12m: z.number().nullable(),
    }),
  ),
  months: z.array(
    z.object({
      cohort: z.string(),
      /** YYYY-MM; the last month ends at asOf. */
      month: z.string(),
      /** The newest scored date within the month (on or before asOf), or null. */
      scoredOn: z.string().nullable(),
      /** Mean score of the cohort at scoredOn. */
      averageScore: z.number().nullable(),
      /** Accounts of the cohort scored at scoredOn (0 without a scored date). */
      accounts: z.number().int(),
      /** Accounts active on the eve of the month (started before its first day, not churned). */
      activeAtStart: z.number().int().nullable(),
      /** Accounts with a churn event within the month (up to asOf). */
      churned: z.number().int().nullable(),
      churnRate: z.number().nullable(),
    }),
  ),
  /** Tables the churn figures need that the data does not have (their figures are null). */
  unavailable: z.array(z.string()),
});
export type CohortReply = z.infer<typeof cohortReplySchema>;

/** The cohort of an account (`p` is the account profile), by field: a fixed map, never user text. */
const COHORT_SQL: Record<CohortField, string> = {
  segment: 'p.segment',
  plan: 'p.plan',
  region: 'p.region',
  industry: 'p.industry',
  owner: 'p.owner',
  start_quarter: `strftime(p.start_date, '%Y') || '-Q' || quarter(p.start_date)`,
};

export const MAX_COHORT_MONTHS = 36;

/** First days (YYYY-MM-01) of the `months` calendar months ending with the month of `asOf`. */
export function monthStarts(asOf: string, months: number): string[] {
  const year = Number(asOf.slice(0, 4));
  const month = Number(asOf.slice(5, 7)) - 1;
  return Array.from({ length: months }, (_, i) =>
    new Date(Date.UTC(year, month - (months - 1 - i), 1)).toISOString().slice(0, 10),
  );
}

/** Profiles with their cohort, and churn events (none when the data has no outcomes). */
function baseSql(schema: string, by: CohortField, hasOutcomes: boolean): string {
  const churnSource = hasOutcomes
    ? `SELECT account_id, CAST(event_date AS DATE) AS event_date FROM outcomes WHERE event = 'churned'`
    : `SELECT NULL::VARCHAR AS account_id, NULL::DATE AS event_date WHERE false`;
  return `prof AS (
  SELECT p.account_id, p.arr, p.start_date,
    coalesce(CAST(${COHORT_SQL[by]} AS VARCHAR), '(none)') AS cohort
  FROM ${schema}.account_profiles p
),
churn AS (${churnSource})`;
}

const rate = (numerator: number | null, denominator: number | null) =>
  numerator === null || !denominator ? null : numerator / denominator;

export interface CohortRequest {
  model: { hash: string; name: string };
  asOf: string;
  by: CohortField;
  months: number;
  tables: readonly TableName[];
}

/** Cohort health at `asOf` and month by month over the last `months` months. */
export async function cohortHealth(
  connection: DuckDBConnection,
  schema: string,
  request: CohortRequest,
): Promise<CohortReply> {
  const { model, asOf, by } = request;
  const hasOutcomes = request.tables.includes('outcomes');
  const base = baseSql(schema, by, hasOutcomes);
  const yearAgo = shiftDate(asOf, -365);
  const cohortRows = await runRows<{
    cohort: string;
    accounts: number;
    arr: number;
    averageScore: number | null;
    shareRed: number | null;
    activeYearAgo: number;
    churned12m: number;
  }>(
    connection,
    `WITH ${base},
now AS (
  SELECT account_id, score, band FROM ${schema}.scores
  WHERE model_hash = $hash AND as_of = CAST($as_of AS DATE)
),
flags AS (
  SELECT p.cohort, p.arr, n.score, n.band, n.account_id IS NOT NULL AS active_now,
    p.start_date <= CAST($year_ago AS DATE) AND NOT EXISTS (
      SELECT 1 FROM churn c WHERE c.account_id = p.account_id AND c.event_date <= CAST($year_ago AS DATE)
    ) AS active_year_ago,
    EXISTS (
      SELECT 1 FROM churn c WHERE c.account_id = p.account_id
        AND c.event_date > CAST($year_ago AS DATE) AND c.event_date <= CAST($as_of AS DATE)
    ) AS churned_in_year
  FROM prof p LEFT JOIN now n USING (account_id)
)
SELECT cohort,
  (count(*) FILTER (active_now))::INTEGER AS accounts,
  coalesce(sum(arr) FILTER (active_now), 0)::DOUBLE AS arr,
  avg(score) FILTER (active_now) AS "averageScore",
  (count(*) FILTER (active_now AND band = 'red' AND score IS NOT NULL))::DOUBLE
    / nullif(count(score) FILTER (active_now), 0) AS "shareRed",
  (count(*) FILTER (active_year_ago))::INTEGER AS "activeYearAgo",
  (count(*) FILTER (churned_in_year))::INTEGER AS "churned12m"
FROM flags GROUP BY cohort
HAVING count(*) FILTER (active_now OR active_year_ago OR churned_in_year) > 0
ORDER BY cohort`,
    { hash: model.hash, as_of: asOf, year_ago: yearAgo },
  );
  const starts = monthStarts(asOf, request.months);
  const monthRows = await runRows<{
    cohort: string;
    month: string;
    scoredOn: string | null;
    averageScore: number | null;
    accounts: number;
    activeAtStart: number;
    churned: number;
  }>(
    connection,
    `WITH ${base},
months AS (
  SELECT m, least(m + INTERVAL 1 MONTH - INTERVAL 1 DAY, CAST($as_of AS DATE))::DATE AS month_end
  FROM (SELECT CAST(unnest($starts) AS DATE) AS m)
),
picked AS (
  SELECT m, month_end, (SELECT max(as_of) FROM ${schema}.scores
    WHERE model_hash = $hash AND as_of BETWEEN m AND month_end) AS scored_on
  FROM months
),
cohort_months AS (SELECT c.cohort, k.* FROM (SELECT DISTINCT cohort FROM prof) c CROSS JOIN picked k),
scored AS (
  SELECT p.cohort, k.m, avg(s.score) AS average_score, count(*)::INTEGER AS accounts
  FROM picked k JOIN ${schema}.scores s ON s.as_of = k.scored_on AND s.model_hash = $hash
  JOIN prof p ON p.account_id = s.account_id GROUP BY ALL
),
active AS (
  SELECT p.cohort, k.m, count(*)::INTEGER AS accounts
  FROM picked k JOIN prof p ON p.start_date < k.m
  WHERE NOT EXISTS (SELECT 1 FROM churn c WHERE c.account_id = p.account_id AND c.event_date < k.m)
  GROUP BY ALL
),
churned AS (
  SELECT p.cohort, k.m, count(DISTINCT c.account_id)::INTEGER AS accounts
  FROM picked k JOIN churn c ON c.event_date BETWEEN k.m AND k.month_end
  JOIN prof p ON p.account_id = c.account_id GROUP BY ALL
)
SELECT cm.cohort, strftime(cm.m, '%Y-%m') AS month, strftime(cm.scored_on, '%Y-%m-%d') AS "scoredOn",
  s.average_score AS "averageScore", coalesce(s.accounts, 0) AS accounts,
  coalesce(a.accounts, 0) AS "activeAtStart", coalesce(ch.accounts, 0) AS churned
FROM cohort_months cm
LEFT JOIN scored s ON s.cohort = cm.cohort AND s.m = cm.m
LEFT JOIN active a ON a.cohort = cm.cohort AND a.m = cm.m
LEFT JOIN churned ch ON ch.cohort = cm.cohort AND ch.m = cm.m
ORDER BY cm.cohort, cm.m`,
    { hash: model.hash, as_of: asOf, starts },
  );
  const withChurn = <T>(value: T): T | null => (hasOutcomes ? value : null);
  // Without churn data a cohort is listed only for its active accounts.
  const cohorts = cohortRows
    .filter((row) => hasOutcomes || row.accounts > 0)
    .map((row) => ({
      ...row,
      activeYearAgo: withChurn(row.activeYearAgo),
      churned12m: withChurn(row.churned12m),
      churnRate12m: withChurn(rate(row.churned12m, row.activeYearAgo)),
    }));
  const listed = new Set(cohorts.map((row) => row.cohort));
  return {
    model,
    asOf,
    by,
    cohorts,
    months: monthRows
      .filter((row) => listed.has(row.cohort))
      .map((row) => ({
        ...row,
        activeAtStart: withChurn(row.activeAtStart),
        churned: withChurn(row.churned),
        churnRate: withChurn(rate(row.churned, row.activeAtStart)),
      })),
    unavailable: hasOutcomes ? [] : ['outcomes'],
  };
}
