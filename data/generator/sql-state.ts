import { type Frame } from './frame.ts';
import {
  ARR,
  BILLING,
  HEALTH,
  INDUSTRIES,
  OWNERS,
  PLAN_SHARE,
  PLANS,
  REGION_SHARE,
  REGIONS,
  SEASON,
  SEAT_PRICE,
  SEGMENT_SHARE,
  SEGMENTS,
  TIMELINE,
  USAGE,
} from './model.ts';
import { accountNameSql } from './names.ts';
import { bySegment, norm, pick, unif } from './random.ts';

const list = (values: readonly (string | number)[]) =>
  `[${values.map((value) => (typeof value === 'number' ? value : `'${value.replaceAll("'", "''")}'`)).join(', ')}]`;

/** `cal`: one row per simulated day with its weekday and seasonal multipliers. */
export function calendarSql(frame: Frame): string {
  return `
CREATE TABLE cal AS
SELECT dn, date, dow, ${list(USAGE.weekday)}[dow + 1] AS weekday_factor,
  CASE
    WHEN (m = 12 AND d IN (24, 25, 26, 31)) OR (m = 1 AND d = 1) THEN ${SEASON.holidayPeak}
    WHEN (m = 12 AND d >= 20) OR (m = 1 AND d <= 2) THEN ${SEASON.holiday}
    WHEN (m = 12 AND d >= 17) OR (m = 1 AND d <= 5) THEN ${SEASON.holidayShoulder}
    WHEN (m = 7 AND d >= 15) OR m = 8 THEN ${SEASON.summer}
    WHEN (m = 7 AND d >= 8) OR (m = 9 AND d <= 7) THEN ${SEASON.summerShoulder}
    ELSE 1.0
  END AS season
FROM (
  SELECT CAST(range AS INTEGER) AS dn, CAST(range % 7 AS INTEGER) AS dow,
    DATE '${frame.simStart}' + CAST(range AS INTEGER) AS date,
    month(DATE '${frame.simStart}' + CAST(range AS INTEGER)) AS m,
    day(DATE '${frame.simStart}' + CAST(range AS INTEGER)) AS d
  FROM range(0, ${frame.endDn + 1})
);`;
}

/** `acct0`: static attributes of every account, before any renewal decision. */
export function accountsBaseSql(frame: Frame): string {
  const plans = SEGMENTS.map(
    (segment, seg) => `WHEN ${seg} THEN ${pick('u_plan', PLAN_SHARE[segment])}`,
  ).join(' ');
  const owner = SEGMENTS.map(
    (segment, seg) =>
      `WHEN ${seg} THEN ${list(OWNERS[segment])}[1 + CAST(floor(u_owner * ${OWNERS[segment].length}) AS INTEGER)]`,
  ).join(' ');
  const historyDays = Math.round(365.25 * TIMELINE.historyYears);
  return `
CREATE TABLE acct0 AS
WITH draws AS (
  SELECT CAST(range AS INTEGER) AS idx,
    ${unif('range', '0', 'segment')} AS u_seg, ${unif('range', '0', 'plan')} AS u_plan,
    ${unif('range', '0', 'region')} AS u_region, ${unif('range', '0', 'industry')} AS u_industry,
    ${unif('range', '0', 'owner')} AS u_owner, ${unif('range', '0', 'established')} AS u_est,
    ${unif('range', '0', 'start')} AS u_start, ${unif('range', '0', 'billing')} AS u_billing,
    ${norm('range', '0', 'arr')} AS n_arr, ${norm('range', '0', 'seatPrice')} AS n_price,
    ${norm('range', '0', 'base')} AS n_base, ${norm('range', '0', 'adoptionStyle')} AS n_style,
    ${norm('range', '0', 'emailStyle')} AS n_email, ${norm('range', '0', 'loginStyle')} AS n_login,
    ${norm('range', '0', 'eventStyle')} AS n_event, ${norm('range', '0', 'breadthStyle')} AS n_breadth
  FROM range(1, ${frame.accounts + 1})
),
typed AS (
  SELECT *, ${pick('u_seg', SEGMENT_SHARE)} AS seg FROM draws
),
planned AS (
  SELECT *, CASE seg ${plans} END AS plan_i,
    CASE WHEN u_est < ${TIMELINE.establishedShare}
      THEN ${frame.windowStartDn} - 1 - CAST(floor(u_start * ${historyDays}) AS INTEGER)
      ELSE ${frame.windowStartDn} + CAST(floor(u_start * ${frame.days}) AS INTEGER)
    END AS start_dn,
    round(least(${bySegment(ARR.max)}, greatest(${bySegment(ARR.min)},
      ${bySegment(ARR.median)} * exp(${bySegment(ARR.sigma)} * n_arr))) / 100) * 100 AS arr0
  FROM typed
)
SELECT idx, printf('ACC-%06d', idx) AS account_id, ${accountNameSql('idx')} AS name,
  seg, ${list(SEGMENTS)}[seg + 1] AS segment, plan_i, ${list(PLANS)}[plan_i + 1] AS plan,
  ${list(REGIONS)}[${pick('u_region', REGION_SHARE)} + 1] AS region,
  ${list(INDUSTRIES)}[1 + CAST(floor(u_industry * ${INDUSTRIES.length}) AS INTEGER)] AS industry,
  CASE seg ${owner} END AS owner,
  CASE
    WHEN seg = 0 AND (plan_i = 0 OR (plan_i = 1 AND u_billing < ${BILLING.monthlyGrowthShare})) THEN 1
    WHEN seg = 1 AND u_billing < ${BILLING.quarterlyMidMarketShare} THEN 3
    ELSE 12
  END AS billing_months,
  start_dn, greatest(start_dn, ${frame.windowStartDn}) AS first_dn,
  DATE '${frame.simStart}' + start_dn AS start_date,
  arr0,
  greatest(1, round(arr0 / (${list(SEAT_PRICE)}[plan_i + 1] * exp(0.1 * n_price)))) AS seats0,
  ${bySegment(HEALTH.baseMean)} + ${HEALTH.baseSd} * n_base AS base,
  ${USAGE.adoptionStyleSd} * n_style AS style,
  n_email AS email_style,
  exp(${USAGE.loginStyleSd} * n_login) AS login_style,
  exp(${USAGE.eventStyleSd} * n_event) AS event_style,
  ${USAGE.breadthStyleSd} * n_breadth AS breadth_style
FROM planned;`;
}

/**
 * `hw`: latent health per account and week (z), and the health usage shows (zu = z + drift,
 * where drift is usage that wanders for reasons unrelated to churn: projects, re-orgs, habits), from the account's first simulated week (warm-up
 * weeks before the window included) to the last week. The AR(1) part is computed in closed form,
 * x_j = phi^j * sum_{i<=j} phi^-i * e_i, as a running window sum: no recursion, no per-row loop.
 */
export function healthSql(frame: Frame): string {
  const innovationSd = HEALTH.sd * Math.sqrt(1 - HEALTH.phi ** 2);
  const driftInnovationSd = HEALTH.driftSd * Math.sqrt(1 - HEALTH.driftPhi ** 2);
  return `
CREATE TABLE hw AS
WITH weeks AS (
  SELECT idx, base, first_k, unnest(range(first_k, ${frame.lastWeek + 1})) AS k
  FROM (SELECT idx, base, greatest(0, start_dn // 7) AS first_k FROM acct0)
),
draws AS (
  SELECT idx, CAST(k AS INTEGER) AS k, CAST(k - first_k AS INTEGER) AS j, base,
    CASE WHEN k = first_k THEN ${HEALTH.sd} ELSE ${innovationSd} END
      * ${norm('idx', 'k', 'healthAr')} AS e,
    CASE WHEN k = first_k THEN ${HEALTH.driftSd} ELSE ${driftInnovationSd} END
      * ${norm('idx', 'k', 'healthAr', true)} AS e_drift,
    CASE WHEN ${unif('idx', 'k', 'shock')} < ${HEALTH.shockRate}
      THEN -(${HEALTH.shockMin} + ${HEALTH.shockMax - HEALTH.shockMin} * ${unif('idx', 'k', 'shockSize')})
      ELSE 0 END AS jolt
  FROM weeks
),
processes AS (
  SELECT idx, k, base,
    pow(${HEALTH.phi}, j) * sum(pow(${HEALTH.phi}, -j) * e) OVER w AS x,
    pow(${HEALTH.shockPhi}, j) * sum(pow(${HEALTH.shockPhi}, -j) * jolt) OVER w AS shock,
    pow(${HEALTH.driftPhi}, j) * sum(pow(${HEALTH.driftPhi}, -j) * e_drift) OVER w AS drift
  FROM draws
  WINDOW w AS (PARTITION BY idx ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT idx, k, base, shock, drift, z, z + drift AS zu,
  coalesce(lead(z + drift) OVER w, z + drift) AS zu_next,
  z - lag(z, ${HEALTH.trendWeeks}) OVER w AS trend
FROM (SELECT *, base + x + shock AS z FROM processes)
WINDOW w AS (PARTITION BY idx ORDER BY k);`;
}

/** The hidden ground truth: latent health per account and week while the account has data. */
export function healthTruthOutputSql(frame: Frame): string {
  return `
SELECT a.account_id, DATE '${frame.simStart}' + CAST(h.k * 7 AS INTEGER) AS week_start,
  -- four decimals are plenty and make the file less than half the size
  round(h.z, 4) AS health, round(h.base, 4) AS base, round(h.shock, 4) AS shock,
  round(h.drift, 4) AS usage_drift
FROM hw h JOIN acct a ON a.idx = h.idx
WHERE h.k * 7 + 6 >= a.first_dn AND h.k * 7 <= a.last_dn
ORDER BY h.k, h.idx`;
}
