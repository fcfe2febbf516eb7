import type { ComparisonRow } from './compare-schema.ts';
import type { Figures } from './schema.ts';

type Cell = ComparisonRow['values'][number];
const value = (v: number | null | undefined): Cell => ({ value: v ?? null, low: null, high: null });
const interval = (v: Figures['rocAuc']): Cell =>
  v ? { value: v.estimate, low: v.low, high: v.high } : value(null);

interface FigureSpec {
  key: string;
  label: string;
  higherIsBetter: boolean | null;
  cell: (figures: Figures) => Cell;
}

const band = (figures: Figures, name: 'red' | 'yellow' | 'green') =>
  figures.bands.find((row) => row.band === name);

/** A band's churn should be high in red and low in green; yellow has no better side. */
const better = (name: 'red' | 'yellow' | 'green') =>
  name === 'red' ? true : name === 'green' ? false : null;

/** Every backtest figure that has one value per model, in report order. */
export const FIGURES: readonly FigureSpec[] = [
  {
    key: 'rows',
    label: 'Evaluated snapshots',
    higherIsBetter: null,
    cell: (f) => value(f.counts.rows),
  },
  {
    key: 'positives',
    label: 'Churned snapshots',
    higherIsBetter: null,
    cell: (f) => value(f.counts.positives),
  },
  { key: 'churnRate', label: 'Churn rate', higherIsBetter: null, cell: (f) => value(f.churnRate) },
  { key: 'rocAuc', label: 'ROC AUC', higherIsBetter: true, cell: (f) => interval(f.rocAuc) },
  {
    key: 'prAuc',
    label: 'PR AUC (average precision)',
    higherIsBetter: true,
    cell: (f) => interval(f.prAuc),
  },
  ...(['red', 'yellow', 'green'] as const).flatMap((name): FigureSpec[] => [
    {
      key: `${name}.rowShare`,
      label: `Share of snapshots ${name}`,
      higherIsBetter: null,
      cell: (f) => value(band(f, name)?.rowShare),
    },
    {
      key: `${name}.churnRate`,
      label: `Churn rate, ${name}`,
      higherIsBetter: better(name),
      cell: (f) => value(band(f, name)?.churnRate),
    },
    {
      key: `${name}.arrChurnRate`,
      label: `ARR churn rate, ${name}`,
      higherIsBetter: better(name),
      cell: (f) => value(band(f, name)?.arrChurnRate),
    },
  ]),
  {
    key: 'topDecile.lift',
    label: 'Lift, riskiest decile',
    higherIsBetter: true,
    cell: (f) => value(f.topDecile?.lift),
  },
  {
    key: 'topDecile.capture',
    label: 'Churn captured, riskiest decile',
    higherIsBetter: true,
    cell: (f) => value(f.topDecile?.capture),
  },
  {
    key: 'red.precision',
    label: 'Red precision (snapshots)',
    higherIsBetter: true,
    cell: (f) => value(f.red.snapshots.precision),
  },
  {
    key: 'red.recall',
    label: 'Red recall (snapshots)',
    higherIsBetter: true,
    cell: (f) => value(f.red.snapshots.recall),
  },
  {
    key: 'alerts.precision',
    label: 'Red alert precision',
    higherIsBetter: true,
    cell: (f) => value(f.red.alerts.precision),
  },
  {
    key: 'alerts.count',
    label: 'Red alerts',
    higherIsBetter: null,
    cell: (f) => value(f.red.alerts.alerts),
  },
  {
    key: 'lead.caughtShare',
    label: 'Churned accounts red before churn',
    higherIsBetter: true,
    cell: (f) => value(f.red.lead.caughtShare),
  },
  {
    key: 'lead.medianDays',
    label: 'Median red lead time (days)',
    higherIsBetter: true,
    cell: (f) => value(f.red.lead.medianDays),
  },
  {
    key: 'stability.medianAbsChange',
    label: 'Median score change between snapshots',
    higherIsBetter: false,
    cell: (f) => value(f.stability.medianAbsChange),
  },
  {
    key: 'stability.bandChangeShare',
    label: 'Band changes between snapshots',
    higherIsBetter: false,
    cell: (f) => value(f.stability.bandChangeShare),
  },
];

/** The side-by-side table of a comparison: one row per figure, one value per model. */
export function comparisonTable(figures: readonly Figures[]): ComparisonRow[] {
  return FIGURES.map((spec) => ({
    key: spec.key,
    label: spec.label,
    higherIsBetter: spec.higherIsBetter,
    values: figures.map((f) => spec.cell(f)),
  }));
}
