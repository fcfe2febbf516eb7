import { dateSql, type Frame } from './frame.ts';
import { SIGNALS, USAGE } from './model.ts';
import { bySegment, norm, STREAM } from './random.ts';

/** SQL for the weekday share of seats active at usage health `z` (before weekday and season). */
function adoptionSql(z: string): string {
  return `sigmoid(${USAGE.adoptionIntercept} + ${bySegment(USAGE.adoptionSegment)} + style + ${USAGE.adoptionSlope} * ${z})`;
}

/**
 * usage_daily: one row per account and day from its first day in the window to the day before it
 * churned. Everything that depends only on health is computed once per week (adoption is
 * interpolated linearly across the week); each day adds its weekday and seasonal factors and four
 * normals from two hashes. Seats follow renewals to the day.
 */
export function usageOutputSql(frame: Frame): string {
  const sd = USAGE.dailyNoise;
  return `
WITH weeks AS (
  SELECT idx, account_id, k, first_dn, last_dn, start_dn, seats_a, seats_b, chg_dn,
    ${adoptionSql('zu')} AS adopt_a, ${adoptionSql('zu_next')} AS adopt_b,
    login_style * (${USAGE.loginsPerUser} + ${USAGE.loginsHealthBonus} * sigmoid(zu)) AS login_rate,
    ${USAGE.eventsPerLogin} * event_style * exp(${USAGE.eventsHealthSlope} * zu) AS event_rate,
    6 + ${USAGE.featureCount - 16} * sigmoid(0.3 + breadth_style + ${USAGE.breadthSlope} * zu) AS breadth
  FROM wk
),
days AS (
  SELECT w.*, CAST(w.k * 7 + d.range AS INTEGER) AS dn, d.range / 7.0 AS frac,
    rnd_hash(w.idx, rnd_key(w.k * 7 + d.range, ${STREAM.usage})) AS h1,
    rnd_hash(w.idx, rnd_key(w.k * 7 + d.range, ${STREAM.usageCounts})) AS h2
  FROM weeks w CROSS JOIN range(7) d
  WHERE w.k * 7 + d.range BETWEEN w.first_dn AND w.last_dn
),
draws AS (
  SELECT idx, account_id, dn, frac, adopt_a, adopt_b, login_rate, event_rate, breadth,
    CASE WHEN dn >= chg_dn THEN seats_b ELSE seats_a END AS seats,
    CASE WHEN dn - start_dn < 120 THEN 1 - ${USAGE.ramp} * exp(-(dn - start_dn) / ${USAGE.rampDays}) ELSE 1 END
      AS ramp,
    sqrt(-2 * ln(u53(h1))) AS r1, 2 * pi() * u53(hash(h1)) AS t1,
    sqrt(-2 * ln(u53(h2))) AS r2, 2 * pi() * u53(hash(h2)) AS t2
  FROM days
),
expected AS (
  SELECT d.*, c.weekday_factor, c.season,
    d.seats * (d.adopt_a + (d.adopt_b - d.adopt_a) * d.frac) * c.weekday_factor * c.season * d.ramp
      * exp(${sd} * d.r1 * cos(d.t1) - ${(sd * sd) / 2}) AS m,
    d.r1 * sin(d.t1) AS n2, d.r2 * cos(d.t2) AS n3, d.r2 * sin(d.t2) AS n4
  FROM draws d JOIN cal c ON c.dn = d.dn
),
active AS (
  SELECT *, CAST(least(seats, greatest(0,
      round(m + sqrt(m * greatest(0, 1 - m / seats)) * n2))) AS BIGINT) AS active_users
  FROM expected
),
counted AS (
  SELECT *, CASE WHEN active_users = 0 THEN 0
      ELSE greatest(active_users, round(active_users * login_rate * exp(0.15 * n3))) END AS logins
  FROM active
)
SELECT account_id, ${dateSql(frame, 'dn')} AS date, CAST(seats AS BIGINT) AS seats, active_users,
  CAST(logins AS BIGINT) AS logins,
  CAST(round(logins * event_rate * exp(0.25 * n4 - 0.03125)) AS BIGINT) AS feature_events,
  CAST(CASE WHEN active_users = 0 THEN 0 ELSE least(${USAGE.featureCount}, greatest(1,
    round(breadth * (1 - exp(-active_users / 4.0)) + 0.8 * n3))) END AS BIGINT) AS features_used
FROM counted
ORDER BY dn, idx`;
}

/**
 * signals: `api_calls` for each full week after the integration went live (dated the Sunday that
 * ends the week) and a monthly `product_qualified_score` (0-100) on each month's last day.
 */
export function signalsOutputSql(frame: Frame): string {
  return `
WITH weekly AS (
  SELECT w.idx, w.account_id, w.k * 7 + 6 AS dn, 'api_calls' AS signal,
    round(w.seats_b * ${adoptionSql('w.zu')} * c.season * ${SIGNALS.apiCallsPerActiveSeat}
      * exp(${SIGNALS.apiNoise} * ${norm('w.idx', 'w.k', 'apiCalls')})) AS value
  FROM wk w
  JOIN ms ON ms.idx = w.idx AND ms.milestone = 'integration_live'
  JOIN cal c ON c.dn = w.k * 7 + 3
  WHERE w.k * 7 >= greatest(w.first_dn, ms.achieved_dn) AND w.k * 7 + 6 <= w.last_dn
),
monthly AS (
  SELECT w.idx, w.account_id, c.dn, 'product_qualified_score' AS signal,
    round(least(100, greatest(0, ${SIGNALS.pqsMean} + ${SIGNALS.pqsSlope} * w.zu
      + ${SIGNALS.pqsSd} * ${norm('w.idx', 'c.dn', 'pqs')})), 1) AS value
  FROM wk w
  JOIN cal c ON c.dn // 7 = w.k AND c.date = last_day(c.date)
  WHERE c.dn BETWEEN w.first_dn AND w.last_dn
)
SELECT account_id, ${dateSql(frame, 'dn')} AS date, signal, CAST(value AS DOUBLE) AS value
FROM (SELECT * FROM weekly UNION ALL SELECT * FROM monthly)
ORDER BY dn, idx, signal`;
}
