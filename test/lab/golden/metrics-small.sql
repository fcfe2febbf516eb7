WITH as_of_dates AS (
  SELECT DISTINCT unnest(CAST($as_of AS DATE[])) AS as_of
),
churn AS (
  SELECT account_id, min(event_date) AS churned_on
  FROM outcomes
  WHERE event = 'churned'
  GROUP BY account_id
),
snapshots AS (
  SELECT a.account_id, d.as_of, a.segment, a.start_date
  FROM as_of_dates d
  JOIN accounts a ON a.start_date <= d.as_of
  LEFT JOIN churn c ON c.account_id = a.account_id
  WHERE c.churned_on IS NULL OR c.churned_on > d.as_of
),
agg_usage_daily AS (
  SELECT t.account_id, d.as_of,
    sum(t.active_users) FILTER (WHERE t.date > d.as_of - 30) AS a0,
    sum(t.seats) FILTER (WHERE t.date > d.as_of - 30) AS a1,
    max(t.date) FILTER (WHERE (t.logins > 0)) AS a2
  FROM as_of_dates d
  JOIN (
    SELECT account_id, date, seats, active_users, logins, feature_events, features_used
    FROM usage_daily
    WHERE date <= CAST($last_as_of AS DATE)
      AND date > CAST($first_as_of AS DATE) - 90
  ) t ON t.date <= d.as_of AND t.date > d.as_of - 90
  GROUP BY t.account_id, d.as_of
),
agg_support_tickets AS (
  SELECT t.account_id, d.as_of,
    count(*) FILTER (WHERE t.opened_on > d.as_of - 90) AS a3,
    count(*) FILTER (WHERE (t.closed_on IS NULL OR t.closed_on > d.as_of)) AS a4
  FROM as_of_dates d
  JOIN (
    SELECT account_id, CAST(opened_at AS DATE) AS opened_on, CAST(closed_at AS DATE) AS closed_on, priority, csat
    FROM support_tickets
    WHERE opened_at < CAST($last_as_of AS DATE) + 1
  ) t ON t.opened_on <= d.as_of
  GROUP BY t.account_id, d.as_of
),
agg_signals AS (
  SELECT t.account_id, d.as_of,
    avg(t.value) FILTER (WHERE (t.signal = $p0)) AS a5
  FROM as_of_dates d
  JOIN (
    SELECT account_id, date, signal, value
    FROM signals
    WHERE date <= CAST($last_as_of AS DATE)
      AND date > CAST($first_as_of AS DATE) - 30
      AND (signal = $p0)
  ) t ON t.date <= d.as_of AND t.date > d.as_of - 30
  GROUP BY t.account_id, d.as_of
)
SELECT s.account_id, s.as_of, s.segment,
  CAST(agg_usage_daily.a0 / nullif(agg_usage_daily.a1, 0) AS DOUBLE) AS m0,
  CAST(least(90, s.as_of - coalesce(agg_usage_daily.a2, s.start_date)) AS DOUBLE) AS m1,
  CAST(coalesce(agg_support_tickets.a3, 0) AS DOUBLE) AS m2,
  CAST(coalesce(agg_support_tickets.a4, 0) AS DOUBLE) AS m3,
  CAST(agg_signals.a5 AS DOUBLE) AS m4
FROM snapshots s
LEFT JOIN agg_usage_daily ON agg_usage_daily.account_id = s.account_id AND agg_usage_daily.as_of = s.as_of
LEFT JOIN agg_support_tickets ON agg_support_tickets.account_id = s.account_id AND agg_support_tickets.as_of = s.as_of
LEFT JOIN agg_signals ON agg_signals.account_id = s.account_id AND agg_signals.as_of = s.as_of
