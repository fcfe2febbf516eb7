import { dateSql, dnSql, type Frame } from './frame.ts';
import { BILLING } from './model.ts';
import { bySegment, unif } from './random.ts';

/**
 * invoices: one per billing period (1, 3 or 12 months from the contract start) issued in the
 * window while the account is active and due by the end date, for the ARR in force that day.
 * Payment is late more often when health is low; a churned account sometimes never pays its last
 * invoice.
 */
export function invoicesOutputSql(frame: Frame): string {
  const n = 'CAST(b.n AS INTEGER)';
  return `
WITH bills AS (
  SELECT idx, account_id, seg, billing_months, churn_dn, first_dn, last_dn, n,
    ${dnSql(frame, 'start_date + to_months(CAST(n * billing_months AS INTEGER))')} AS issued_dn
  FROM (
    SELECT *, unnest(range(0, (${frame.endDn} - start_dn) // (28 * billing_months) + 2)) AS n
    FROM acct
  )
),
priced AS (
  SELECT b.*, CASE WHEN b.issued_dn >= w.chg_dn THEN w.arr_b ELSE w.arr_a END AS arr,
    ${bySegment(BILLING.netDays, 'b.seg')} AS net_days,
    ${unif('b.idx', n, 'invoiceLate')} < sigmoid(${BILLING.lateIntercept} + ${BILLING.lateSlope} * w.z)
      AS late,
    ${unif('b.idx', n, 'invoiceDelay')} AS u_delay,
    b.churn_dn IS NOT NULL
      AND b.n = max(b.n) OVER (PARTITION BY b.idx)
      AND ${unif('b.idx', n, 'writeOff')} < ${BILLING.writeOffShare} AS written_off
  FROM bills b
  JOIN wk w ON w.idx = b.idx AND w.k = b.issued_dn // 7
  -- no date may lie after the end date, so invoices not yet due by then are left out
  WHERE b.issued_dn BETWEEN greatest(b.first_dn, ${frame.windowStartDn}) AND b.last_dn
    AND b.issued_dn + ${bySegment(BILLING.netDays, 'b.seg')} <= ${frame.endDn}
),
paid AS (
  SELECT *, issued_dn + net_days AS due_dn,
    CASE WHEN written_off THEN NULL
      WHEN late THEN issued_dn + net_days + 1 + CAST(floor(-ln(u_delay) * ${BILLING.lateMeanDays}) AS INTEGER)
      ELSE issued_dn + 1 + CAST(floor(u_delay * (net_days - 2)) AS INTEGER) END AS paid_dn
  FROM priced
)
SELECT 'INV-' || printf('%07d', row_number() OVER (ORDER BY issued_dn, idx)) AS invoice_id,
  account_id, ${dateSql(frame, 'issued_dn')} AS issued_on, ${dateSql(frame, 'due_dn')} AS due_on,
  CASE WHEN paid_dn <= ${frame.endDn} THEN ${dateSql(frame, 'paid_dn')} END AS paid_on,
  CAST(round(arr * billing_months / 12, 2) AS DOUBLE) AS amount
FROM paid
ORDER BY issued_dn, idx`;
}
