/**
 * Where every ranking statistic starts: the risk scores of churned and of retained rows, each
 * sorted ascending, and from them the distinct scores riskiest-first with how many rows of each
 * class hold them. Ties are exactly the rows with equal scores, which is how scikit-learn groups
 * them; -0 and +0 are one score (both sorts put -0 just before +0 and ties are found with ===). Sorting the two classes apart needs no index array and no
 * comparator: O(n) with the radix sort.
 */
import { checkFinite, checkSameLength, labelAt, type Labels, type Scores } from './inputs.ts';
import { sortAscending } from './sort.ts';

export interface ClassScores {
  /** Risk of churned rows, ascending. */
  positives: Float64Array;
  /** Risk of retained rows, ascending. */
  negatives: Float64Array;
}

export function sortedByClass(
  fn: string,
  risk: Scores,
  labels: Labels,
  riskName = 'risk',
): ClassScores {
  const n = risk.length;
  checkSameLength(fn, [riskName, 'labels'], n, labels.length);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y === 1 || y === true) count++;
    else if (y !== 0 && y !== false) labelAt(fn, labels, i); // throws, naming the row
  }
  // One spare slot each lets every row be written to both arrays, only one of the cursors
  // moving: no branch on the label, which would mispredict on every other row.
  const positives = new Float64Array(count + 1);
  const negatives = new Float64Array(n - count + 1);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    const v = risk[i]!;
    if (!Number.isFinite(v)) checkFinite(fn, riskName, v, i); // throws, naming the row
    const y = +labels[i]!; // 0 or 1, checked above
    positives[p] = v;
    negatives[q] = v;
    p += y;
    q += 1 - y;
  }
  return {
    positives: sortAscending(positives.subarray(0, count)),
    negatives: sortAscending(negatives.subarray(0, n - count)),
  };
}

export interface ScoreGroups {
  /** Distinct risk scores, descending (riskiest first). */
  scores: Float64Array;
  /** Churned rows with exactly that score. */
  positives: Float64Array;
  /** Retained rows with exactly that score. */
  negatives: Float64Array;
  totalPositives: number;
  totalNegatives: number;
}

export function scoreGroups(fn: string, risk: Scores, labels: Labels): ScoreGroups {
  const { positives: pos, negatives: neg } = sortedByClass(fn, risk, labels);
  const n = pos.length + neg.length;
  const scores = new Float64Array(n);
  const positives = new Float64Array(n);
  const negatives = new Float64Array(n);
  let g = 0;
  let i = pos.length - 1;
  let j = neg.length - 1;
  while (i >= 0 || j >= 0) {
    const v = i < 0 ? neg[j]! : j < 0 ? pos[i]! : Math.max(pos[i]!, neg[j]!);
    let p = 0;
    for (; i >= 0 && pos[i] === v; i--) p++;
    let q = 0;
    for (; j >= 0 && neg[j] === v; j--) q++;
    scores[g] = v;
    positives[g] = p;
    negatives[g] = q;
    g++;
  }
  return {
    scores: scores.subarray(0, g),
    positives: positives.subarray(0, g),
    negatives: negatives.subarray(0, g),
    totalPositives: pos.length,
    totalNegatives: neg.length,
  };
}
