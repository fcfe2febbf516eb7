import { calibrationTable, liftTable, prAuc, rocAuc } from '../stats/index.ts';

/** Band codes in pulled rows: 0 red, 1 yellow, 2 green. */
export const BAND_NAMES = ['red', 'yellow', 'green'] as const;
export type BandName = (typeof BAND_NAMES)[number];

/**
 * The evaluated rows of one model (labelled and scored), sorted riskiest first, pulled from
 * DuckDB as typed arrays. Risk is 100 - health score.
 */
export interface ModelRows {
  risk: Float64Array;
  label: Uint8Array;
  account: Int32Array;
  segment: Int32Array;
  band: Uint8Array;
  arr: Float64Array;
  arrLost: Float64Array;
}

/** The rows of one segment, in the same (riskiest first) order. */
export function segmentRows(rows: ModelRows, segment: number): ModelRows {
  const keep: number[] = [];
  for (let i = 0; i < rows.segment.length; i++) if (rows.segment[i] === segment) keep.push(i);
  const pick = <A extends Float64Array | Uint8Array | Int32Array>(from: A, to: A): A => {
    keep.forEach((index, k) => (to[k] = from[index]!));
    return to;
  };
  const n = keep.length;
  return {
    risk: pick(rows.risk, new Float64Array(n)),
    label: pick(rows.label, new Uint8Array(n)),
    account: pick(rows.account, new Int32Array(n)),
    segment: pick(rows.segment, new Int32Array(n)),
    band: pick(rows.band, new Uint8Array(n)),
    arr: pick(rows.arr, new Float64Array(n)),
    arrLost: pick(rows.arrLost, new Float64Array(n)),
  };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

export interface BandFigure {
  band: BandName;
  rows: number;
  /** Share of the evaluated rows in this band. */
  rowShare: number | null;
  churned: number;
  churnRate: number | null;
  /** ARR at T of the rows, summed over snapshots (an account counts once per snapshot). */
  arr: number;
  arrChurned: number;
  arrChurnRate: number | null;
}

export interface LiftFigure {
  /** 1 = the riskiest tenth (lowest scores). */
  decile: number;
  rows: number;
  churned: number;
  churnRate: number | null;
  lift: number | null;
  capture: number;
  cumulativeCapture: number;
  scoreLow: number | null;
  scoreHigh: number | null;
}

export interface CalibrationFigure {
  /** 1 = the lowest scores. Edges are score quantiles; ties are never split. */
  decile: number;
  scoreLow: number;
  scoreHigh: number;
  rows: number;
  churned: number;
  meanScore: number | null;
  churnRate: number | null;
}

export interface PointFigures {
  counts: { rows: number; positives: number; negatives: number; accounts: number };
  churnRate: number | null;
  rocAuc: number | null;
  prAuc: number | null;
  bands: BandFigure[];
  lift: LiftFigure[];
  calibration: CalibrationFigure[];
  /** Red as an alert on snapshots: precision (red rows that churned) and recall (churned rows that were red). */
  redSnapshots: {
    red: number;
    redChurned: number;
    precision: number | null;
    churned: number;
    recall: number | null;
  };
}

/** Every figure that needs no time order, from one model's evaluated rows. */
export function pointFigures(rows: ModelRows): PointFigures {
  const n = rows.risk.length;
  const bandCounts = BAND_NAMES.map(() => ({ rows: 0, churned: 0, arr: 0, arrChurned: 0 }));
  let positives = 0;
  const accounts = new Set<number>();
  for (let i = 0; i < n; i++) {
    const band = bandCounts[rows.band[i]!]!;
    band.rows++;
    band.arr += rows.arr[i]!;
    if (rows.label[i]) {
      positives++;
      band.churned++;
      band.arrChurned += rows.arrLost[i]!;
    }
    accounts.add(rows.account[i]!);
  }
  const negatives = n - positives;
  const bothClasses = positives > 0 && negatives > 0;
  const red = bandCounts[0]!;
  return {
    counts: { rows: n, positives, negatives, accounts: accounts.size },
    churnRate: ratio(positives, n),
    rocAuc: bothClasses ? rocAuc(rows.risk, rows.label) : null,
    prAuc: positives > 0 ? prAuc(rows.risk, rows.label) : null,
    bands: bandCounts.map((band, b) => ({
      band: BAND_NAMES[b]!,
      rows: band.rows,
      rowShare: ratio(band.rows, n),
      churned: band.churned,
      churnRate: ratio(band.churned, band.rows),
      arr: band.arr,
      arrChurned: band.arrChurned,
      arrChurnRate: ratio(band.arrChurned, band.arr),
    })),
    lift: positives > 0 ? liftFigures(rows) : [],
    calibration: n > 0 ? calibrationFigures(rows) : [],
    redSnapshots: {
      red: red.rows,
      redChurned: red.churned,
      precision: ratio(red.churned, red.rows),
      churned: positives,
      recall: ratio(red.churned, positives),
    },
  };
}

function liftFigures(rows: ModelRows): LiftFigure[] {
  return liftTable(rows.risk, rows.label, 10).map((row) => ({
    decile: row.bin,
    rows: row.count,
    churned: row.positives,
    churnRate: row.rate,
    lift: row.lift,
    capture: row.capture,
    cumulativeCapture: row.cumulativeCapture,
    scoreLow: row.maxRisk === null ? null : 100 - row.maxRisk,
    scoreHigh: row.minRisk === null ? null : 100 - row.minRisk,
  }));
}

/** calibrationTable bins risk lowest first; deciles of the score run the other way. */
function calibrationFigures(rows: ModelRows): CalibrationFigure[] {
  const table = calibrationTable(rows.risk, rows.label, 10, { strategy: 'quantile' });
  return table.reverse().map((row, index) => ({
    decile: index + 1,
    scoreLow: 100 - row.upper,
    scoreHigh: 100 - row.lower,
    rows: row.count,
    churned: row.positives,
    meanScore: row.meanPredicted === null ? null : 100 - row.meanPredicted,
    churnRate: row.observedRate,
  }));
}
