/**
 * Lift by rank bins of RISK (higher = more likely to churn): bin 1 holds the riskiest rows.
 */
import { scoreGroups } from './groups.ts';
import { checkBins, requirePositives, type Labels, type Scores } from './inputs.ts';

export interface LiftRow {
  /** 1 = riskiest. */
  bin: number;
  count: number;
  /** Churned rows in the bin. */
  positives: number;
  /** positives / count; null for an empty bin. */
  rate: number | null;
  /** rate / overall churn rate; null for an empty bin. */
  lift: number | null;
  /** Share of all churned rows that fall in this bin. */
  capture: number;
  /** Share of all churned rows in bins 1..bin. */
  cumulativeCapture: number;
  /** Lowest and highest risk in the bin; null for an empty bin. */
  minRisk: number | null;
  maxRisk: number | null;
}

/**
 * Rows from the riskiest bin (1) to the safest (`bins`), by rank: with no ties, bin b holds
 * positions [ceil((b-1) n / bins), ceil(b n / bins)) of the riskiest-first order, so bins differ
 * in size by at most one. Tied scores are never split: a group of equal scores goes whole to the
 * bin of its average position p (0-based, riskiest first), bin = floor(p * bins / n) + 1 — the
 * average rank that rocAuc gives ties. The rule does not depend on input order. Heavy ties can
 * leave bins empty; they are kept (count 0, null rate) so the table always has `bins` rows.
 * Needs at least one churned row.
 */
export function liftTable(risk: Scores, labels: Labels, bins = 10): LiftRow[] {
  checkBins('liftTable', bins);
  const g = scoreGroups('liftTable', risk, labels);
  const total = g.totalPositives;
  requirePositives('liftTable', total, g.totalNegatives);
  const n = total + g.totalNegatives;
  const rows: LiftRow[] = Array.from({ length: bins }, (_, b) => ({
    bin: b + 1,
    count: 0,
    positives: 0,
    rate: null,
    lift: null,
    capture: 0,
    cumulativeCapture: 0,
    minRisk: null,
    maxRisk: null,
  }));
  let start = 0;
  for (let k = 0; k < g.scores.length; k++) {
    const size = g.positives[k]! + g.negatives[k]!;
    // 2p = 2 start + size - 1 is an integer, so the bin comes from exact integer arithmetic.
    const row = rows[Math.floor(((2 * start + size - 1) * bins) / (2 * n))]!;
    row.count += size;
    row.positives += g.positives[k]!;
    row.maxRisk ??= g.scores[k]!; // groups arrive riskiest first
    row.minRisk = g.scores[k]!;
    start += size;
  }
  const overallRate = total / n;
  let captured = 0;
  for (const row of rows) {
    captured += row.positives;
    row.capture = row.positives / total;
    row.cumulativeCapture = captured / total;
    if (row.count > 0) {
      row.rate = row.positives / row.count;
      row.lift = row.rate / overallRate;
    }
  }
  return rows;
}
