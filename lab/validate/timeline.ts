import type { DuckDBConnection } from '@duckdb/node-api';
import { runRows } from '../run.ts';
import { quoteTableName } from '../sql.ts';

/**
 * Figures that follow accounts through time, computed in SQL over every snapshot of a model
 * (excluded and unscored rows included: they are still points in the account's history).
 * An unscored snapshot counts as not red.
 */

export interface RedLead {
  /** Accounts whose last snapshot churned within the horizon: the churns the run could see. */
  churnedAccounts: number;
  /** Of those, red at that last snapshot before churning. */
  caught: number;
  caughtShare: number | null;
  /** Not red at the last snapshot but red at some earlier one (the alert lapsed). */
  redEarlierOnly: number;
  /**
   * Days from the first snapshot of the unbroken run of red snapshots that ends at the last
   * snapshot before churn, to the churn date; over the caught accounts. A run that starts at the
   * first snapshot of the backtest may have started earlier (the lead is then a lower bound).
   */
  medianDays: number | null;
  p25Days: number | null;
  p75Days: number | null;
  /** Caught accounts already red at the first snapshot date (their lead is a lower bound). */
  leftCensored: number;
}

export interface RedAlerts {
  /** Snapshots where an account turned red (red now, not red at its previous snapshot or none). */
  alerts: number;
  /** Alerts whose label is known, and those followed by churn within the horizon. */
  labelled: number;
  churned: number;
  precision: number | null;
  excluded: number;
}

export interface Stability {
  /** Days between the two snapshots of a pair (the backtest's step). */
  intervalDays: number;
  measures: string;
  /** Pairs of consecutive snapshots of one account, both scored. */
  pairs: number;
  medianAbsChange: number | null;
  p90AbsChange: number | null;
  /** Share of pairs whose band differs. */
  bandChangeShare: number | null;
}

export interface TimelineFigures {
  redLead: RedLead;
  redAlerts: RedAlerts;
  stability: Stability;
}

interface TimelineRow {
  segment: string | null;
  overall: boolean;
  churned_accounts: number;
  caught: number;
  red_earlier_only: number;
  left_censored: number;
  lead_median: number | null;
  lead_p25: number | null;
  lead_p75: number | null;
  alerts: number;
  alerts_labelled: number;
  alerts_churned: number;
  pairs: number;
  change_median: number | null;
  change_p90: number | null;
  band_changes: number;
}

export function stabilityMeasure(every: number): string {
  return every === 7
    ? 'median absolute week-to-week change of an account score (snapshots 7 days apart)'
    : `median absolute change of an account score between consecutive snapshots ${every} days apart (not week-to-week: the snapshots are ${every} days apart)`;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/**
 * Red lead time, red alerts and score stability for model column `index` of the evaluation
 * table, overall (key null) and per segment.
 */
export async function timelineFigures(
  connection: DuckDBConnection,
  request: { table: string; index: number; every: number; firstDate: string },
): Promise<Map<string | null, TimelineFigures>> {
  const score = `score_${request.index}`;
  const band = `band_${request.index}`;
  const sql = `WITH t AS (
  SELECT account_id, segment, as_of, churned_on, label, ${score} AS score,
    coalesce(${band}, 'none') AS band,
    lag(coalesce(${band}, 'none')) OVER byDate AS previous_band,
    lag(${score}) OVER byDate AS previous_score,
    sum(CASE WHEN ${band} = 'red' THEN 0 ELSE 1 END) OVER (byDate ROWS UNBOUNDED PRECEDING) AS run_key,
    row_number() OVER (PARTITION BY account_id ORDER BY as_of DESC) AS from_last
  FROM ${quoteTableName(request.table)}
  WINDOW byDate AS (PARTITION BY account_id ORDER BY as_of)
),
last AS (SELECT * FROM t WHERE from_last = 1 AND label = 1),
red_runs AS (
  SELECT l.account_id, count(*) AS red_snapshots,
    min(t.as_of) FILTER (WHERE t.run_key = l.run_key) AS run_start
  FROM last l JOIN t ON t.account_id = l.account_id AND t.band = 'red'
  GROUP BY l.account_id
),
leads AS (
  SELECT l.account_id, l.segment, l.band = 'red' AS caught,
    CASE WHEN l.band = 'red' THEN l.churned_on - r.run_start END AS lead_days,
    l.band = 'red' AND r.run_start = CAST($first AS DATE) AS left_censored,
    l.band <> 'red' AND coalesce(r.red_snapshots, 0) > 0 AS red_earlier_only
  FROM last l LEFT JOIN red_runs r ON r.account_id = l.account_id
),
lead_figures AS (
  SELECT segment, GROUPING(segment) = 1 AS overall,
    count(*) AS churned_accounts,
    count(*) FILTER (WHERE caught) AS caught,
    count(*) FILTER (WHERE red_earlier_only) AS red_earlier_only,
    count(*) FILTER (WHERE left_censored) AS left_censored,
    median(lead_days) AS lead_median,
    quantile_cont(lead_days, 0.25) AS lead_p25,
    quantile_cont(lead_days, 0.75) AS lead_p75
  FROM leads GROUP BY GROUPING SETS ((), (segment))
),
other_figures AS (
  SELECT segment, GROUPING(segment) = 1 AS overall,
    count(*) FILTER (WHERE band = 'red' AND previous_band IS DISTINCT FROM 'red') AS alerts,
    count(label) FILTER (WHERE band = 'red' AND previous_band IS DISTINCT FROM 'red') AS alerts_labelled,
    count(*) FILTER (WHERE band = 'red' AND previous_band IS DISTINCT FROM 'red' AND label = 1) AS alerts_churned,
    count(*) FILTER (WHERE score IS NOT NULL AND previous_score IS NOT NULL) AS pairs,
    median(abs(score - previous_score)) AS change_median,
    quantile_cont(abs(score - previous_score), 0.9) AS change_p90,
    count(*) FILTER (WHERE score IS NOT NULL AND previous_score IS NOT NULL AND band <> previous_band) AS band_changes
  FROM t GROUP BY GROUPING SETS ((), (segment))
)
SELECT o.segment, o.overall,
  CAST(coalesce(l.churned_accounts, 0) AS DOUBLE) AS churned_accounts,
  CAST(coalesce(l.caught, 0) AS DOUBLE) AS caught,
  CAST(coalesce(l.red_earlier_only, 0) AS DOUBLE) AS red_earlier_only,
  CAST(coalesce(l.left_censored, 0) AS DOUBLE) AS left_censored,
  CAST(l.lead_median AS DOUBLE) AS lead_median,
  CAST(l.lead_p25 AS DOUBLE) AS lead_p25,
  CAST(l.lead_p75 AS DOUBLE) AS lead_p75,
  CAST(o.alerts AS DOUBLE) AS alerts,
  CAST(o.alerts_labelled AS DOUBLE) AS alerts_labelled,
  CAST(o.alerts_churned AS DOUBLE) AS alerts_churned,
  CAST(o.pairs AS DOUBLE) AS pairs,
  CAST(o.change_median AS DOUBLE) AS change_median,
  CAST(o.change_p90 AS DOUBLE) AS change_p90,
  CAST(o.band_changes AS DOUBLE) AS band_changes
FROM other_figures o
LEFT JOIN lead_figures l ON l.overall = o.overall AND l.segment IS NOT DISTINCT FROM o.segment`;
  const rows = await runRows<TimelineRow>(connection, sql, { first: request.firstDate });
  const figures = new Map<string | null, TimelineFigures>();
  for (const row of rows) {
    figures.set(row.overall ? null : row.segment, {
      redLead: {
        churnedAccounts: row.churned_accounts,
        caught: row.caught,
        caughtShare: ratio(row.caught, row.churned_accounts),
        redEarlierOnly: row.red_earlier_only,
        medianDays: row.lead_median,
        p25Days: row.lead_p25,
        p75Days: row.lead_p75,
        leftCensored: row.left_censored,
      },
      redAlerts: {
        alerts: row.alerts,
        labelled: row.alerts_labelled,
        churned: row.alerts_churned,
        precision: ratio(row.alerts_churned, row.alerts_labelled),
        excluded: row.alerts - row.alerts_labelled,
      },
      stability: {
        intervalDays: request.every,
        measures: stabilityMeasure(request.every),
        pairs: row.pairs,
        medianAbsChange: row.change_median,
        p90AbsChange: row.change_p90,
        bandChangeShare: ratio(row.band_changes, row.pairs),
      },
    });
  }
  return figures;
}
