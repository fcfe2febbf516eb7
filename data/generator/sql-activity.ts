import { dateSql, type Frame } from './frame.ts';
import { ENGAGEMENT, SUPPORT, SURVEY } from './model.ts';
import { binomialSql, bySegment, norm, unif, type StreamName } from './random.ts';

/**
 * support_tickets: per account-week, a Binomial(slots, rate / slots) count (close to Poisson) of
 * how-to tickets, which grow with adoption, and of problem tickets, which grow as health falls and
 * are more often high or urgent. Low health also means longer to close and lower CSAT.
 */
export function ticketsOutputSql(frame: Frame): string {
  const slots = SUPPORT.slots;
  const t = `k * 8 + slot`;
  const endTs = `CAST(DATE '${frame.endDate}' + 1 AS TIMESTAMP)`;
  return `
WITH weeks AS (
  SELECT idx, account_id, first_dn, last_dn, k, z,
    least(0.95, ${bySegment(SUPPORT.howToRate)} * sigmoid(0.2 + 0.9 * zu) / sigmoid(0.2) / ${slots}) AS p_howto,
    least(0.95, ${bySegment(SUPPORT.problemRate)} * exp(${SUPPORT.problemSlope} * z) / ${slots}) AS p_problem,
    ${unif('idx', 'k', 'ticket')} AS u_howto, ${unif('idx', 'k', 'ticketProblem')} AS u_problem
  FROM wk
),
counted AS (
  SELECT *, ${binomialSql('u_howto', 'p_howto', slots)} AS n_howto,
    ${binomialSql('u_problem', 'p_problem', slots)} AS n_problem
  FROM weeks
),
slots AS (
  SELECT idx, account_id, first_dn, last_dn, k, z, FALSE AS problem, unnest(range(n_howto)) AS slot
  FROM counted WHERE n_howto > 0
  UNION ALL
  SELECT idx, account_id, first_dn, last_dn, k, z, TRUE AS problem,
    unnest(range(${slots}, ${slots} + n_problem)) AS slot
  FROM counted WHERE n_problem > 0
),
drawn AS (
  SELECT *, k * 7 + CASE WHEN u_day < 0.92 THEN CAST(floor(u_day / 0.92 * 5) AS INTEGER)
      ELSE 5 + CAST(floor((u_day - 0.92) / 0.08 * 2) AS INTEGER) END AS dn,
    ${norm('idx', t, 'ticketPriority')} + CASE WHEN problem
      THEN ${SUPPORT.problemPriorityOffset} - 0.5 * z ELSE ${SUPPORT.howToPriorityOffset} END AS p
  FROM (SELECT *, ${unif('idx', t, 'ticketDay')} AS u_day FROM slots)
),
typed AS (
  SELECT *, CAST(${dateSql(frame, 'dn')} AS TIMESTAMP)
      + to_seconds(CAST(floor((7 + 12 * ${unif('idx', t, 'ticketTime')}) * 3600) AS BIGINT)) AS opened_at,
    CASE WHEN p > 2.0 THEN 'urgent' WHEN p > 1.1 THEN 'high' WHEN p > -0.6 THEN 'normal' ELSE 'low' END
      AS priority
  FROM drawn
  WHERE dn BETWEEN first_dn AND last_dn
),
closed AS (
  SELECT *, opened_at + to_seconds(CAST(round(3600 * ${SUPPORT.medianHours}
      * CASE priority WHEN 'urgent' THEN 0.3 WHEN 'high' THEN 0.6 WHEN 'normal' THEN 1.0 ELSE 1.6 END
      * exp(${SUPPORT.durationSlope} * z + ${SUPPORT.durationSd} * ${norm('idx', t, 'ticketDuration')})) AS BIGINT))
      AS closes_at
  FROM typed
)
SELECT 'TCK-' || printf('%07d', row_number() OVER (ORDER BY opened_at, idx, slot)) AS ticket_id,
  account_id, opened_at,
  CASE WHEN closes_at < ${endTs} THEN closes_at END AS closed_at, priority,
  CASE WHEN closes_at < ${endTs} AND ${unif('idx', t, 'ticketCsat')} < ${SUPPORT.csatResponse}
    THEN CAST(least(5, greatest(1, round(${SUPPORT.csatMean} + ${SUPPORT.csatSlope} * z
      + ${SUPPORT.csatSd} * ${norm('idx', t, 'ticketCsatScore')}
      - CASE WHEN priority IN ('high', 'urgent') THEN 0.3 ELSE 0 END))) AS BIGINT) END AS csat
FROM closed
ORDER BY opened_at, idx, slot`;
}

/** Slot kinds of engagement: output kind, first slot number, the uniform's stream, season-bound. */
const ENGAGEMENT_SLOTS = [
  { key: 'meeting', kind: 'meeting', first: 0, stream: 'engagement', seasonal: true },
  { key: 'escalation', kind: 'meeting', first: 2, stream: 'engagementEscalation', seasonal: false },
  { key: 'event', kind: 'event', first: 3, stream: 'engagementEvent', seasonal: true },
  { key: 'community', kind: 'community', first: 4, stream: 'engagementCommunity', seasonal: true },
] as const satisfies readonly {
  key: 'meeting' | 'escalation' | 'event' | 'community';
  kind: string;
  first: number;
  stream: StreamName;
  seasonal: boolean;
}[];

/**
 * engagement: one email campaign a week (opens depend on the account's own open rate, barely on
 * health), and per account-week binomial counts of routine meetings, escalation meetings, events
 * and community activity, each placed on a random day. Routine activity thins out in the holiday
 * and summer seasons.
 */
export function engagementOutputSql(frame: Frame): string {
  const t = 'k * 8 + slot';
  const probabilities = ENGAGEMENT_SLOTS.map(({ key, stream, seasonal }) => {
    const spec = ENGAGEMENT[key];
    const trend = key === 'escalation' ? ` + ${ENGAGEMENT.escalationTrendSlope} * trend` : '';
    return `sigmoid(${bySegment(spec.intercept)} + ${spec.healthSlope} * z${trend})${seasonal ? ' * season' : ''}
      AS p_${key}, ${unif('idx', 'k', stream)} AS u_${key}`;
  }).join(',\n    ');
  const counts = ENGAGEMENT_SLOTS.map(
    ({ key }) => `${binomialSql(`u_${key}`, `p_${key}`, ENGAGEMENT[key].slots)} AS n_${key}`,
  ).join(', ');
  const slotRows = ENGAGEMENT_SLOTS.map(
    ({ key, kind, first }) => `
  SELECT idx, account_id, seg, first_dn, last_dn, k, '${kind}' AS kind,
    unnest(range(${first}, ${first} + n_${key})) AS slot
  FROM counted WHERE n_${key} > 0`,
  ).join('\n  UNION ALL');
  return `
WITH weeks AS (
  SELECT w.*, c.season FROM wk w JOIN cal c ON c.dn = w.k * 7 + 3
),
counted AS (
  SELECT *, ${counts}
  FROM (SELECT *, ${probabilities} FROM weeks)
),
email AS (
  SELECT idx, account_id, first_dn, last_dn, k * 7 + ${ENGAGEMENT.emailCampaignWeekday} AS dn,
    'email_open' AS kind,
    round((2 + sqrt(seats0)) * sigmoid(${ENGAGEMENT.emailOpenIntercept}
      + ${ENGAGEMENT.emailStyleSd} * email_style + ${ENGAGEMENT.emailHealthSlope} * z)
      * exp(0.3 * ${norm('idx', 'k', 'engagementCount')} - 0.045)) AS count
  FROM weeks
),
slots AS (${slotRows}
),
other AS (
  SELECT idx, account_id, first_dn, last_dn, kind,
    k * 7 + CAST(floor(${unif('idx', t, 'engagementDay')}
      * CASE WHEN kind = 'community' THEN 7 ELSE 5 END) AS INTEGER) AS dn,
    CASE kind WHEN 'meeting' THEN 1
      WHEN 'event' THEN 1 + floor(${unif('idx', t, 'engagementCount')} * CASE WHEN seg = 2 THEN 4 ELSE 2 END)
      ELSE 1 + floor(${unif('idx', t, 'engagementCount')} * 3) END AS count
  FROM slots
)
SELECT account_id, ${dateSql(frame, 'dn')} AS date, kind, CAST(count AS BIGINT) AS count
FROM (
  SELECT idx, account_id, dn, kind, count FROM email
  WHERE dn BETWEEN first_dn AND last_dn AND count > 0
  UNION ALL
  -- slots of one kind can land on the same day: one row per day and kind
  SELECT idx, account_id, dn, kind, sum(count) AS count FROM other
  WHERE dn BETWEEN first_dn AND last_dn
  GROUP BY idx, account_id, dn, kind
)
ORDER BY dn, idx, kind`;
}

/**
 * surveys: one NPS invitation per account and calendar quarter (response more likely when healthy)
 * and, in SURVEY.csatShare of quarters, a relationship CSAT survey.
 */
export function surveysOutputSql(frame: Frame): string {
  const q = 'q.quarter';
  return `
WITH quarters AS (
  SELECT DISTINCT year(date) * 4 + quarter(date) AS quarter,
    CAST(date_trunc('quarter', date) AS DATE) - DATE '${frame.simStart}' AS quarter_dn
  FROM cal
),
invites AS (
  SELECT a.idx, a.account_id, a.first_dn, a.last_dn, q.quarter,
    q.quarter_dn + 5 + CAST(floor(80 * ${unif('a.idx', q, 'npsDay')}) AS INTEGER) AS nps_dn,
    q.quarter_dn + 3 + CAST(floor(85 * ${unif('a.idx', q, 'csatDay')}) AS INTEGER) AS csat_dn,
    ${unif('a.idx', q, 'csatPick')} < ${SURVEY.csatShare} AS csat_sent
  FROM acct a CROSS JOIN quarters q
),
nps AS (
  SELECT i.idx, i.account_id, i.first_dn, i.last_dn, i.nps_dn AS dn, 'nps' AS kind,
    least(10, greatest(0, round(${SURVEY.npsMean} + ${SURVEY.npsSlope} * h.z
      + ${SURVEY.npsSd} * ${norm('i.idx', 'i.quarter', 'npsScore')}))) AS score
  FROM invites i JOIN hw h ON h.idx = i.idx AND h.k = i.nps_dn // 7
  WHERE ${unif('i.idx', 'i.quarter', 'npsResponse')}
    < sigmoid(${SURVEY.npsResponseIntercept} + ${SURVEY.npsResponseSlope} * h.z)
),
csat AS (
  SELECT i.idx, i.account_id, i.first_dn, i.last_dn, i.csat_dn AS dn, 'csat' AS kind,
    least(5, greatest(1, round(${SURVEY.csatMean} + ${SURVEY.csatSlope} * h.z
      + ${SURVEY.csatSd} * ${norm('i.idx', 'i.quarter', 'csatScore')}))) AS score
  FROM invites i JOIN hw h ON h.idx = i.idx AND h.k = i.csat_dn // 7
  WHERE i.csat_sent
)
SELECT account_id, ${dateSql(frame, 'dn')} AS date, kind, CAST(score AS DOUBLE) AS score
FROM (SELECT * FROM nps UNION ALL SELECT * FROM csat)
WHERE dn BETWEEN first_dn AND last_dn
ORDER BY dn, idx, kind`;
}
