import { dateSql, type Frame } from './frame.ts';
import { MILESTONE_TIMING, MILESTONES } from './model.ts';
import { norm, unif } from './random.ts';

/**
 * `ms`: onboarding milestones reached, in order, each a log-normal number of days after the
 * previous one; faster and more often reached for accounts with a high base health. A milestone
 * not reached by the end date, or before churn, has no row.
 */
export function milestonesSql(frame: Frame): string {
  const rows = MILESTONES.map(
    (milestone, i) =>
      `(${i}, '${milestone.name}', ${milestone.medianGapDays}, ${milestone.neverLogit})`,
  ).join(', ');
  return `
CREATE TABLE ms AS
WITH gaps AS (
  SELECT a.idx, a.account_id, a.start_dn, a.churn_dn, a.base, m.i, m.name AS milestone, m.never_logit,
    greatest(1, CAST(round(m.median_gap * exp(${MILESTONE_TIMING.healthSlope} * a.base
      + ${MILESTONE_TIMING.sd} * ${norm('a.idx', 'm.i', 'milestoneTime')})) AS INTEGER)) AS gap
  FROM acct a CROSS JOIN (VALUES ${rows}) m(i, name, median_gap, never_logit)
),
timed AS (
  SELECT *, start_dn + sum(gap) OVER (PARTITION BY idx ORDER BY i) AS achieved_dn FROM gaps
)
SELECT idx, account_id, i, milestone, achieved_dn FROM timed
WHERE ${unif('idx', 'i', 'milestoneNever')}
    >= sigmoid(never_logit + ${MILESTONE_TIMING.neverSlope} * base)
  AND achieved_dn <= ${frame.endDn} AND (churn_dn IS NULL OR achieved_dn < churn_dn);`;
}

export function milestonesOutputSql(frame: Frame): string {
  return `
SELECT account_id, milestone, ${dateSql(frame, 'achieved_dn')} AS achieved_on
FROM ms ORDER BY achieved_dn, idx, i`;
}
