/**
 * ROC AUC, average precision and the ROC curve of RISK scores (higher = more likely to churn,
 * like scikit-learn's `y_score`) against labels (1/true = churned). Health scores must be
 * turned into risk first: `riskFromHealth(health)`.
 */
import { scoreGroups, sortedByClass } from './groups.ts';
import { requireBothClasses, requirePositives, type Labels, type Scores } from './inputs.ts';

/**
 * Area under the ROC curve as the Mann-Whitney statistic U / (n1 * n0): the chance that a random
 * churned row has a higher risk than a random not-churned one, a tie counting one half. Equal to
 * sklearn.metrics.roc_auc_score. Needs both classes (else UndefinedStatisticError).
 *
 * 2U is an integer summed exactly in doubles (up to ~10^8 rows), so the only rounding is the
 * final division.
 */
export function rocAuc(risk: Scores, labels: Labels): number {
  const { positives: pos, negatives: neg } = sortedByClass('rocAuc', risk, labels);
  requireBothClasses('rocAuc', pos.length, neg.length);
  // Walk both ascending: for each run of equal positive scores, the negatives strictly below
  // count 1 and the equal ones 1/2.
  let twiceU = 0;
  let below = 0;
  for (let i = 0; i < pos.length;) {
    const v = pos[i]!;
    let p = 0;
    for (; i < pos.length && pos[i] === v; i++) p++;
    while (below < neg.length && neg[below]! < v) below++;
    let equal = 0;
    while (below + equal < neg.length && neg[below + equal] === v) equal++;
    twiceU += p * (2 * below + equal);
  }
  return twiceU / (2 * pos.length * neg.length);
}

/**
 * Average precision exactly as sklearn.metrics.average_precision_score: the step-wise sum over
 * distinct thresholds (riskiest first, tied rows entering together) of
 * (recall gained at the threshold) x (precision at the threshold); no interpolation. Needs at
 * least one churned row (else UndefinedStatisticError); with no negatives it is 1.
 */
export function prAuc(risk: Scores, labels: Labels): number {
  const g = scoreGroups('prAuc', risk, labels);
  requirePositives('prAuc', g.totalPositives, g.totalNegatives);
  let truePositives = 0;
  let flagged = 0;
  let sum = 0;
  for (let k = 0; k < g.scores.length; k++) {
    const p = g.positives[k]!;
    truePositives += p;
    flagged += p + g.negatives[k]!;
    if (p > 0) sum += p * (truePositives / flagged);
  }
  return sum / g.totalPositives;
}

export interface RocCurve {
  /** False-positive rate at each threshold: not-churned rows with risk >= threshold / all not churned. */
  fpr: Float64Array;
  /** True-positive rate (recall) at each threshold. */
  tpr: Float64Array;
  /** +Infinity (nothing flagged), then every distinct risk score, descending. */
  thresholds: Float64Array;
}

/**
 * The ROC curve at every distinct risk score, like sklearn.metrics.roc_curve with
 * drop_intermediate=False: we keep collinear points so that the curve is exact and any threshold
 * can be looked up. The first point (0, 0) has threshold +Infinity, as in scikit-learn >= 1.3
 * (1.2 used max + 1). Needs both classes.
 */
export function rocCurve(risk: Scores, labels: Labels): RocCurve {
  const g = scoreGroups('rocCurve', risk, labels);
  requireBothClasses('rocCurve', g.totalPositives, g.totalNegatives);
  const m = g.scores.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const thresholds = new Float64Array(m);
  thresholds[0] = Infinity;
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < g.scores.length; k++) {
    tp += g.positives[k]!;
    fp += g.negatives[k]!;
    fpr[k + 1] = fp / g.totalNegatives;
    tpr[k + 1] = tp / g.totalPositives;
    thresholds[k + 1] = g.scores[k]!;
  }
  return { fpr, tpr, thresholds };
}
