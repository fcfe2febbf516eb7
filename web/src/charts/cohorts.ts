/**
 * Chart specs for the Cohorts page, as pure functions of `GET /api/cohorts`: cohort × month
 * heatmaps (average health, churn rate) and the cohorts' average scores as lines on one chart.
 * Every heatmap cell has a tooltip with its figures and, when months are few enough to fit, its
 * value written in it, so no reading depends on telling colours apart; lines differ in dash as
 * well as colour. A cohort's cells carry a link to its accounts (`href` in the data) when the page
 * passes `href`; the page follows it on a click.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CohortMonth } from '../api/cohorts.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export type HeatmapMetric = 'averageScore' | 'churnRate';

/** Past this many months, values no longer fit in their cells and stay in the tooltips. */
export const MAX_LABELLED_MONTHS = 13;
/** Height of one cohort row of a heatmap, in pixels. */
export const HEATMAP_ROW = 26;

export interface HeatmapOptions {
  metric: HeatmapMetric;
  /** What the cohorts are, for axis and tooltip titles: "Segment". */
  fieldLabel: string;
  /** Cohorts top to bottom; cohorts missing from it follow in the data's order. */
  cohorts: readonly string[];
  /** The link of a cohort's cells, or null for none. */
  href?: (cohort: string) => string | null;
}

export interface HeatmapCell {
  cohort: string;
  month: string;
  averageScore: number | null;
  accounts: number;
  churned: number | null;
  churnRate: number | null;
  /** The metric shown, or null for a month without it. */
  value: number | null;
  href?: string;
}

/** The cells of a heatmap: one per cohort and month, with the shown metric as `value`. */
export function heatmapCells(
  months: readonly CohortMonth[],
  metric: HeatmapMetric,
  href?: (cohort: string) => string | null,
): HeatmapCell[] {
  return months.map((row) => {
    const link = href?.(row.cohort) ?? null;
    return {
      cohort: row.cohort,
      month: row.month,
      averageScore: row.averageScore,
      accounts: row.accounts,
      churned: row.churned,
      churnRate: row.churnRate,
      value: row[metric],
      ...(link === null ? {} : { href: link }),
    };
  });
}

/** Cohorts in the given order, then any others as they first appear in the months. */
export function cohortOrder(
  preferred: readonly string[],
  months: readonly CohortMonth[],
): string[] {
  const order = [...preferred];
  for (const row of months) if (!order.includes(row.cohort)) order.push(row.cohort);
  return order;
}

/** Months in calendar order (YYYY-MM sorts as text). */
export function monthOrder(months: readonly CohortMonth[]): string[] {
  return [...new Set(months.map((row) => row.month))].sort();
}

/** "2026-11" as "Nov 2026", in a vega expression (labels are UTC, like the months). */
const MONTH_LABEL = "utcFormat(toDate(datum.value + '-01T00:00:00Z'), '%b %Y')";

/**
 * The colour domain of a heatmap. Scores span the data's range widened to whole multiples of 5
 * (at least 10 points), so that cohorts a few points apart still differ in colour; the legend
 * and the numbers in the cells give the values. Churn rates run from 0 to the highest rate.
 */
export function heatmapDomain(
  values: readonly (number | null)[],
  metric: HeatmapMetric,
): [number, number] {
  const known = values.filter((value): value is number => value !== null && Number.isFinite(value));
  if (metric === 'churnRate') {
    const highest = Math.max(0, ...known);
    return [0, highest > 0 ? highest : 0.01];
  }
  if (known.length === 0) return [0, 100];
  let lo = Math.max(0, Math.floor(Math.min(...known) / 5) * 5);
  let hi = Math.min(100, Math.ceil(Math.max(...known) / 5) * 5);
  while (hi - lo < 10) {
    if (lo > 0) lo -= 5;
    if (hi - lo < 10 && hi < 100) hi += 5;
  }
  return [lo, hi];
}

/**
 * A heatmap of one metric by cohort (rows) and month (columns). Average health runs from orange
 * (lowest) through white to blue (highest), a diverging scheme that colour-blind readers can
 * follow; churn rates run through shades of one hue from 0. Months without the metric are grey.
 */
export function cohortHeatmapSpec(
  months: readonly CohortMonth[],
  options: HeatmapOptions,
): TopLevelSpec {
  const { metric, fieldLabel } = options;
  const cells = heatmapCells(months, metric, options.href);
  const columns = monthOrder(months);
  const score = metric === 'averageScore';
  const [lo, hi] = heatmapDomain(
    cells.map((cell) => cell.value),
    metric,
  );
  const linked = cells.some((cell) => cell.href !== undefined);
  // The cells carry their link as data; the page navigates on a click (Chart's onselect).
  const pointer = linked ? { cursor: 'pointer' as const } : {};
  const x = {
    field: 'month',
    type: 'ordinal' as const,
    sort: columns,
    title: null,
    axis: { labelExpr: MONTH_LABEL, labelAngle: columns.length > 8 ? -40 : 0, ticks: false },
  };
  const y = {
    field: 'cohort',
    type: 'nominal' as const,
    sort: cohortOrder(options.cohorts, months),
    title: fieldLabel,
    axis: { ticks: false, labelLimit: 160 },
  };
  const tooltip = [
    { field: 'cohort', type: 'nominal' as const, title: fieldLabel },
    { field: 'month', type: 'ordinal' as const, title: 'Month' },
    { field: 'averageScore', type: 'quantitative' as const, title: 'Average score', format: '.1f' },
    { field: 'accounts', type: 'quantitative' as const, title: 'Accounts scored', format: ',d' },
    { field: 'churned', type: 'quantitative' as const, title: 'Churned', format: ',d' },
    { field: 'churnRate', type: 'quantitative' as const, title: 'Churn rate', format: '.1%' },
  ];
  const legend = {
    direction: 'horizontal' as const,
    orient: 'top' as const,
    gradientLength: 200,
    ...(score ? {} : { format: '.1%' }),
  };
  const color = {
    field: 'value',
    type: 'quantitative' as const,
    title: score ? 'Average score' : 'Churn rate',
    scale: score
      ? { scheme: 'blueorange', reverse: true, domain: [lo, hi], domainMid: (lo + hi) / 2 }
      : { scheme: 'oranges', domain: [lo, hi] },
    legend,
  };
  // White text on the darkest cells: both ends of the score scheme, the top of churn's.
  const span = hi - lo;
  const dark = score
    ? `datum.value < ${lo + span * 0.18} || datum.value > ${hi - span * 0.18}`
    : `datum.value > ${lo + span * 0.62}`;
  const labelled = columns.length <= MAX_LABELLED_MONTHS;
  return {
    $schema: SCHEMA,
    description: `${score ? 'Average health score' : 'Churn rate'} by ${fieldLabel.toLowerCase()} and month`,
    width: 'container',
    // Only the width follows the container; the height grows with the number of cohorts.
    height: y.sort.length * HEATMAP_ROW,
    data: { values: cells },
    encoding: { x, y },
    layer: [
      // Every cell, grey: months without the metric stay visible as "no data".
      {
        mark: { type: 'rect', fill: '#eef0f3', stroke: '#ffffff', strokeWidth: 1 },
        encoding: { tooltip },
      },
      {
        transform: [{ filter: 'isValid(datum.value)' }],
        mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1, ...pointer },
        encoding: { color, tooltip },
      },
      ...(labelled
        ? [
            {
              transform: [{ filter: 'isValid(datum.value)' }],
              mark: { type: 'text' as const, fontSize: 11, ...pointer },
              encoding: {
                text: {
                  field: 'value',
                  type: 'quantitative' as const,
                  format: score ? '.0f' : '.1%',
                },
                color: { condition: { test: dark, value: '#ffffff' }, value: '#1b2430' },
                tooltip,
              },
            },
          ]
        : []),
    ],
    config: { axis: { domain: false, grid: false } },
  };
}

export interface LinesOptions {
  fieldLabel: string;
  cohorts: readonly string[];
}

/**
 * Each cohort's average score per month as a line on one chart, with a point per month. Lines
 * differ in colour and dash pattern, and the tooltip names the cohort.
 */
export function cohortLinesSpec(
  months: readonly CohortMonth[],
  options: LinesOptions,
): TopLevelSpec {
  const order = cohortOrder(options.cohorts, months);
  const values = months
    .filter((row) => row.averageScore !== null)
    .map((row) => ({
      cohort: row.cohort,
      month: row.month,
      averageScore: row.averageScore,
      accounts: row.accounts,
    }));
  const series = {
    field: 'cohort',
    type: 'nominal' as const,
    title: options.fieldLabel,
    sort: order,
  };
  const legend = {
    orient: order.length > 8 ? ('right' as const) : ('top' as const),
    columns: order.length > 16 ? 2 : 1,
    symbolStrokeWidth: 2,
    symbolType: 'stroke',
  };
  return {
    $schema: SCHEMA,
    description: `Average health score per month by ${options.fieldLabel.toLowerCase()}`,
    width: 'container',
    height: 280,
    data: { values },
    mark: { type: 'line', point: { size: 36, filled: true }, strokeWidth: 2 },
    encoding: {
      x: {
        field: 'month',
        type: 'ordinal',
        sort: monthOrder(months),
        title: null,
        axis: { labelExpr: MONTH_LABEL, labelAngle: 0, labelOverlap: true },
      },
      y: {
        field: 'averageScore',
        type: 'quantitative',
        title: 'Average score',
        scale: { zero: false, nice: true },
      },
      color: {
        ...series,
        scale: { scheme: order.length > 10 ? 'tableau20' : 'tableau10' },
        legend,
      },
      // The same field and legend: vega-lite draws one legend whose symbols show both.
      strokeDash: { ...series, legend },
      tooltip: [
        { field: 'cohort', type: 'nominal', title: options.fieldLabel },
        { field: 'month', type: 'ordinal', title: 'Month' },
        { field: 'averageScore', type: 'quantitative', title: 'Average score', format: '.1f' },
        { field: 'accounts', type: 'quantitative', title: 'Accounts scored', format: ',d' },
      ],
    },
  };
}
