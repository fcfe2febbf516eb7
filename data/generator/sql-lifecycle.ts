import { dateSql, dnSql, type Frame } from './frame.ts';
import { CHURN } from './model.ts';
import { bySegment, unif } from './random.ts';

/**
 * `decisions`: every point in the window at which an account could leave: each contract
 * anniversary, plus each monthly billing date for monthly-billed accounts. Each is drawn
 * independently from the health at that week; the first draw that says "leave" is the churn.
 */
export function decisionsSql(frame: Frame): string {
  const date = (expr: string) => dnSql(frame, expr);
  return `
CREATE TABLE decisions AS
WITH points AS (
  SELECT idx, seg, n, TRUE AS annual, ${date('start_date + to_years(CAST(n AS INTEGER))')} AS dn
  FROM (SELECT idx, seg, start_date,
      unnest(range(1, (${frame.endDn} - start_dn) // 365 + 2)) AS n FROM acct0)
  UNION ALL
  SELECT idx, seg, n, FALSE AS annual, ${date('start_date + to_months(CAST(n AS INTEGER))')} AS dn
  FROM (SELECT idx, seg, start_date,
      unnest(range(1, (${frame.endDn} - start_dn) // 28 + 2)) AS n
    FROM acct0 WHERE billing_months = 1)
  WHERE n % 12 <> 0
),
scored AS (
  SELECT p.idx, p.seg, CAST(p.n AS INTEGER) AS n, p.annual, p.dn, h.z,
    coalesce(h.trend, 0) AS trend,
    sigmoid(CASE WHEN p.annual THEN ${bySegment(CHURN.intercept, 'p.seg')}
        ELSE ${CHURN.monthlyIntercept} END
      + ${CHURN.zSlope} * h.z + ${CHURN.trendSlope} * coalesce(h.trend, 0)) AS p_churn
  FROM points p JOIN hw h ON h.idx = p.idx AND h.k = p.dn // 7
  WHERE p.dn > ${frame.windowStartDn} AND p.dn <= ${frame.endDn}
)
SELECT *,
  CASE WHEN annual THEN ${unif('idx', 'n', 'renew')} ELSE ${unif('idx', 'n', 'cancel')} END
    < p_churn AS churn
FROM scored;

CREATE TABLE churn AS SELECT idx, min(dn) AS churn_dn FROM decisions WHERE churn GROUP BY idx;`;
}

/**
 * `renewals`: the anniversaries an account renewed at (before any churn), with the outcome and the
 * ARR after it. ARR compounds through the renewals: arr_n = round(arr0 * prod(1 + delta_i)).
 */
export function renewalsSql(): string {
  const sizeUniform = unif('idx', 'n', 'expandSize');
  return `
CREATE TABLE renewals AS
WITH draws AS (
  SELECT d.idx, d.n, d.dn, a.arr0, a.seats0, ${unif('d.idx', 'd.n', 'expand')} AS u,
    sigmoid(${bySegment(CHURN.expandIntercept, 'a.seg')} + ${CHURN.expandSlope} * d.z) AS p_expand,
    sigmoid(${CHURN.contractIntercept} + ${CHURN.contractSlope} * d.z) AS p_contract
  FROM decisions d JOIN acct0 a ON a.idx = d.idx LEFT JOIN churn c ON c.idx = d.idx
  WHERE d.annual AND (c.churn_dn IS NULL OR d.dn < c.churn_dn)
),
events AS (
  SELECT idx, n, dn, arr0, seats0,
    CASE WHEN u < p_expand THEN 'expanded'
      WHEN u < p_expand + (1 - p_expand) * p_contract THEN 'contracted'
      ELSE 'renewed' END AS event,
    CASE WHEN u < p_expand
        THEN ${CHURN.expandMin} + ${CHURN.expandMax - CHURN.expandMin} * ${sizeUniform}
      WHEN u < p_expand + (1 - p_expand) * p_contract
        THEN -(${CHURN.contractMin} + ${CHURN.contractMax - CHURN.contractMin} * ${sizeUniform})
      ELSE 0 END AS delta
  FROM draws
),
compounded AS (
  SELECT idx, n, dn, event, arr0, seats0,
    round(arr0 * exp(sum(ln(1 + delta)) OVER w)) AS arr_after
  FROM events
  WINDOW w AS (PARTITION BY idx ORDER BY dn ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT idx, n, dn, event, arr_after,
  arr_after - lag(arr_after, 1, arr0) OVER (PARTITION BY idx ORDER BY dn) AS arr_delta,
  greatest(1, round(seats0 * arr_after / arr0)) AS seats_after
FROM compounded;`;
}

/**
 * `periods`: ARR and seats in force from a day on (for as-of joins), and `acct`: the accounts with
 * their final ARR, churn day, last day of data and renewal date.
 */
export function accountsFinalSql(frame: Frame): string {
  const anniversary = (n: string) => dnSql(frame, `start_date + to_years(CAST(${n} AS INTEGER))`);
  const n0 = `((${frame.endDn} - a.start_dn) // 365)`;
  return `
CREATE TABLE periods AS
SELECT idx, first_dn AS from_dn, arr0 AS arr, seats0 AS seats FROM acct0
UNION ALL
SELECT idx, dn AS from_dn, arr_after AS arr, seats_after AS seats FROM renewals;

CREATE TABLE acct AS
WITH latest AS (
  SELECT idx, arg_max(arr_after, dn) AS arr_last FROM renewals GROUP BY idx
)
SELECT a.*, c.churn_dn,
  least(${frame.endDn}, coalesce(c.churn_dn - 1, ${frame.endDn})) AS last_dn,
  coalesce(l.arr_last, a.arr0) AS arr,
  coalesce(c.churn_dn,
    CASE WHEN ${anniversary(n0)} > ${frame.endDn} THEN ${anniversary(n0)}
      WHEN ${anniversary(`${n0} + 1`)} > ${frame.endDn} THEN ${anniversary(`${n0} + 1`)}
      ELSE ${anniversary(`${n0} + 2`)} END) AS renewal_dn
FROM acct0 a LEFT JOIN churn c ON c.idx = a.idx LEFT JOIN latest l ON l.idx = a.idx;`;
}

/**
 * `wk`: one row per account and week in which the account has data, with everything the outputs
 * need from that week: health, the health usage shows, and seats and ARR in force. A renewal can
 * fall inside a week: `_a` values hold before `chg_dn`, `_b` values from it on.
 */
export function activeWeeksSql(frame: Frame): string {
  return `
CREATE TABLE wk AS
WITH spans AS (
  SELECT idx, from_dn, seats, arr,
    coalesce(lead(from_dn) OVER (PARTITION BY idx ORDER BY from_dn) - 1, ${frame.endDn}) AS to_dn
  FROM periods
),
weekly AS (
  SELECT idx, k, arg_min(seats, from_dn) AS seats_a, arg_min(arr, from_dn) AS arr_a,
    arg_max(seats, from_dn) AS seats_b, arg_max(arr, from_dn) AS arr_b, max(from_dn) AS chg_dn
  FROM (SELECT *, unnest(range(from_dn // 7, to_dn // 7 + 1)) AS k FROM spans WHERE to_dn >= from_dn)
  GROUP BY idx, k
)
SELECT a.idx, a.account_id, a.seg, a.first_dn, a.last_dn, a.start_dn, a.churn_dn, a.style,
  a.login_style, a.event_style, a.breadth_style, a.email_style, a.seats0, a.billing_months,
  CAST(h.k AS INTEGER) AS k, h.z, h.zu, h.zu_next, coalesce(h.trend, 0) AS trend,
  w.seats_a, w.seats_b, w.arr_a, w.arr_b, w.chg_dn
FROM acct a
JOIN hw h ON h.idx = a.idx AND h.k BETWEEN a.first_dn // 7 AND a.last_dn // 7
JOIN weekly w ON w.idx = h.idx AND w.k = h.k;`;
}

/** The `accounts` and `outcomes` outputs. */
export function accountsOutputSql(frame: Frame): string {
  return `
SELECT account_id, name, segment, plan, region, industry, CAST(arr AS DOUBLE) AS arr,
  CAST(start_date AS DATE) AS start_date, ${dateSql(frame, 'renewal_dn')} AS renewal_date, owner
FROM acct ORDER BY idx`;
}

export function outcomesOutputSql(frame: Frame): string {
  return `
SELECT account_id, ${dateSql(frame, 'dn')} AS event_date, event, CAST(arr_delta AS DOUBLE) AS arr_delta
FROM (
  SELECT r.idx, a.account_id, r.dn, r.event, r.arr_delta FROM renewals r JOIN acct a ON a.idx = r.idx
  UNION ALL
  SELECT idx, account_id, churn_dn, 'churned', -arr FROM acct WHERE churn_dn IS NOT NULL
)
ORDER BY dn, idx, event`;
}
