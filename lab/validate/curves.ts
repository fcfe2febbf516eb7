import { liftTable, rocCurve } from '../stats/index.ts';
import type { ModelRows } from './figures.ts';

export const MAX_ROC_POINTS = 200;

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Rows with a score at or below this are flagged at this point; null for the first point. */
  score: number | null;
}

/**
 * The ROC curve with at most `maxPoints` points spread evenly along it: a ROC curve rises in
 * both coordinates, so fpr + tpr measures how far along it a point is (0 to 2); the point kept
 * for step k is the first whose fpr + tpr reaches 2k / (maxPoints - 1). The first (0, 0) and the
 * last (1, 1) points are always kept. Empty when a class is missing.
 */
export function rocPoints(rows: ModelRows, maxPoints = MAX_ROC_POINTS): RocPoint[] {
  let positives = 0;
  for (let i = 0; i < rows.label.length; i++) positives += rows.label[i]!;
  if (positives === 0 || positives === rows.label.length) return [];
  const curve = rocCurve(rows.risk, rows.label);
  const points: RocPoint[] = [];
  const steps = Math.max(2, maxPoints) - 1;
  let next = 0;
  const last = curve.fpr.length - 1;
  for (let i = 0; i <= last; i++) {
    const along = curve.fpr[i]! + curve.tpr[i]!;
    if (i === 0 || i === last || along >= (2 * next) / steps) {
      const threshold = curve.thresholds[i]!;
      points.push({
        fpr: curve.fpr[i]!,
        tpr: curve.tpr[i]!,
        score: Number.isFinite(threshold) ? 100 - threshold : null,
      });
      while ((2 * next) / steps <= along) next++;
    }
  }
  return points;
}

export interface LiftPoint {
  /** Share of rows flagged, riskiest first (0.05, 0.10, ... 1). */
  depth: number;
  /** Share of all churned rows among them (the gains curve). */
  cumulativeCapture: number;
  /** cumulativeCapture / depth: how many times better than flagging at random. */
  cumulativeLift: number;
  /** Lift of this slice alone. */
  lift: number | null;
}

/** Gains and lift by 5% slices of rows, riskiest first. Empty without a churned row. */
export function liftPoints(rows: ModelRows, bins = 20): LiftPoint[] {
  if (!rows.label.some((label) => label === 1)) return [];
  const n = rows.label.length;
  let flagged = 0;
  return liftTable(rows.risk, rows.label, bins).map((row) => {
    flagged += row.count;
    const depth = flagged / n;
    return {
      depth,
      cumulativeCapture: row.cumulativeCapture,
      cumulativeLift: depth > 0 ? row.cumulativeCapture / depth : 0,
      lift: row.lift,
    };
  });
}
