/**
 * Chart specs for the Trends page, as pure functions of `GET /api/trends`: the cohorts' series
 * compared on one chart (raw or seasonally adjusted), and one cohort's decomposition as aligned
 * panels sharing one time axis (observed, trend, each seasonal component, remainder), as R's
 * `plot(stl(...))` draws it. Dates are calendar days and are drawn in UTC, so no time zone moves
 * a point to the day before.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { TrendsCohort, TrendsResult } from '../api/trends.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const DAY_MS = 86_400_000;

export type TrendView = 'raw' | 'adjusted';
/** Values as measured, or each cohort indexed to 100 over its first weeks in view. */
export type TrendScale = 'values' | 'indexed';

/** Days (or weekly points) at the start of the range whose mean is 100 on an indexed scale. */
export const INDEX_BASE = { day: 28, week: 4 } as const;

/** How much of the series the charts show; the decomposition itself always uses all of it. */
export const TREND_RANGES = ['all', '365', '90'] as const;
export type TrendRange = (typeof TREND_RANGES)[number];
export const TREND_RANGE_LABEL: Record<TrendRange, string> = {
  all: 'All data',
  '365': 'Last 12 months',
  '90': 'Last 90 days',
};

/** The first day a range shows, given the last day of the data; null shows everything. */
export function rangeStart(last: string | null, range: TrendRange): string | null {
  if (range === 'all' || last === null) return null;
  const time = Date.parse(`${last}T00:00:00Z`);
  if (Number.isNaN(time)) return null;
  return new Date(time - (Number(range) - 1) * DAY_MS).toISOString().slice(0, 10);
}

/**
 * A time axis for dates from `first` to `last`: ticks on whole months labelled "Jan 2026" (every
 * 1, 2, 3 or 6 months, as the span allows), or on days labelled "05 Jan" for spans under four
 * months, so that no two ticks carry the same label.
 */
export function timeAxis(first: string | undefined, last: string | undefined) {
  const days = first && last ? (Date.parse(last) - Date.parse(first)) / DAY_MS : 0;
  if (!(days >= 120)) return { labelOverlap: true, format: '%d %b' };
  const months = days / 30.4;
  const step = months <= 8 ? 1 : months <= 18 ? 2 : months <= 36 ? 3 : 6;
  return {
    labelOverlap: true,
    format: '%b %Y',
    tickCount: { interval: 'month' as const, step },
  };
}

/** The first and last date among `points` (ISO days compare as text). */
function dateSpan(points: readonly { date: string }[]): [string | undefined, string | undefined] {
  let first: string | undefined;
  let last: string | undefined;
  for (const { date } of points) {
    if (first === undefined || date < first) first = date;
    if (last === undefined || date > last) last = date;
  }
  return [first, last];
}

/** Whether the points are days or weeks (the score history is weekly). */
export function gridUnit(dates: readonly string[]): 'day' | 'week' {
  if (dates.length < 2) return 'day';
  const step = (Date.parse(dates[1]!) - Date.parse(dates[0]!)) / DAY_MS;
  return step >= 7 ? 'week' : 'day';
}

/** A seasonal period in words: 7 days is weekly; 365 days or 52 weeks is yearly. */
export function seasonalLabel(period: number, unit: 'day' | 'week'): string {
  if (unit === 'day' && period === 7) return 'Weekly';
  if ((unit === 'day' && period === 365) || (unit === 'week' && period === 52)) return 'Yearly';
  return `Every ${period} ${unit}s`;
}

/** True when the cohort came back decomposed (too short a series comes back with a note). */
export function hasDecomposition(cohort: TrendsCohort): boolean {
  return cohort.trend !== null;
}

export interface ComparisonOptions {
  view: TrendView;
  range: TrendRange;
  scale: TrendScale;
  /** The series in words: "Active users". */
  seriesLabel: string;
  /** The cohort field in words: "Segment". */
  fieldLabel: string;
  /** The cohort drawn stronger than the others, if any. */
  selected?: string | null;
}

export interface ComparisonPoint {
  cohort: string;
  date: string;
  /** The date as text for the tooltip (the `date` field is parsed into a time). */
  day: string;
  value: number | null;
}

/**
 * Every cohort's raw or adjusted values from the range's first day on, in long form. Indexed,
 * each value is divided by the mean of the cohort's first INDEX_BASE values in view and times
 * 100, so cohorts of very different sizes share one axis and read as relative change; a cohort
 * whose base is not above 0 cannot be indexed and has no values.
 */
export function comparisonPoints(
  result: TrendsResult,
  view: TrendView,
  range: TrendRange,
  scale: TrendScale = 'values',
): ComparisonPoint[] {
  const start = rangeStart(result.to, range);
  return result.cohorts.flatMap((cohort) => {
    const values = view === 'raw' ? cohort.raw : cohort.adjusted;
    const shown = cohort.dates.flatMap((date, i) =>
      start !== null && date < start
        ? []
        : [{ cohort: cohort.cohort, date, day: date, value: values[i] ?? null }],
    );
    if (scale === 'values') return shown;
    const base = mean(
      shown
        .map((point) => point.value)
        .filter((value): value is number => value !== null)
        .slice(0, INDEX_BASE[gridUnit(cohort.dates)]),
    );
    return shown.map((point) => ({
      ...point,
      value: point.value === null || base === null || base <= 0 ? null : (point.value / base) * 100,
    }));
  });
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * The cohorts' series on one chart, one line each (gaps where a day has no data). Lines differ in
 * colour and dash; the selected cohort is drawn thicker and the others lighter.
 */
export function comparisonSpec(result: TrendsResult, options: ComparisonOptions): TopLevelSpec {
  const cohorts = result.cohorts.map((cohort) => cohort.cohort);
  const points = comparisonPoints(result, options.view, options.range, options.scale);
  const [first, last] = dateSpan(points);
  const selected =
    options.selected && cohorts.includes(options.selected) && cohorts.length > 1
      ? options.selected
      : null;
  const adjusted = options.view === 'adjusted';
  const series = {
    field: 'cohort',
    type: 'nominal' as const,
    title: options.fieldLabel,
    sort: cohorts,
  };
  const legend = {
    orient: cohorts.length > 6 ? ('right' as const) : ('top' as const),
    columns: cohorts.length > 16 ? 2 : 1,
    symbolType: 'stroke',
    symbolStrokeWidth: 2,
  };
  const test = selected === null ? null : `datum.cohort === ${JSON.stringify(selected)}`;
  return {
    $schema: SCHEMA,
    description: `${options.seriesLabel}, ${adjusted ? 'seasonally adjusted' : 'raw'}, by ${options.fieldLabel.toLowerCase()}`,
    width: 'container',
    height: 300,
    data: { values: points },
    mark: { type: 'line', interpolate: 'linear' },
    encoding: {
      x: {
        field: 'date',
        type: 'temporal',
        title: null,
        scale: { type: 'utc' },
        axis: timeAxis(first, last),
      },
      y: {
        field: 'value',
        type: 'quantitative',
        title:
          options.scale === 'indexed'
            ? `${options.seriesLabel}${adjusted ? ', adjusted' : ''} (first 4 weeks = 100)`
            : `${options.seriesLabel}${adjusted ? ', adjusted' : ''}`,
        scale: { zero: false, nice: true },
      },
      color: {
        ...series,
        scale: { scheme: cohorts.length > 10 ? 'tableau20' : 'tableau10' },
        legend,
      },
      // Same field and legend as the colour: one legend shows both.
      strokeDash: { ...series, legend },
      strokeWidth:
        test === null ? { value: 1.5 } : { condition: { test, value: 2.75 }, value: 1.3 },
      opacity: test === null ? { value: 1 } : { condition: { test, value: 1 }, value: 0.7 },
      tooltip: [
        { field: 'cohort', type: 'nominal', title: options.fieldLabel },
        { field: 'day', type: 'nominal', title: 'Date' },
        {
          field: 'value',
          type: 'quantitative',
          title: options.seriesLabel,
          format: ',.2f',
        },
      ],
    },
  };
}

export interface DecompositionOptions {
  range: TrendRange;
  seriesLabel: string;
}

export interface DecompositionPoint {
  date: string;
  day: string;
  raw: number | null;
  adjusted: number | null;
  trend: number | null;
  remainder: number | null;
  /** seasonal_<period>: each seasonal component. */
  [seasonal: `seasonal_${number}`]: number | null;
}

/** One row per date of the range: every component of the decomposition side by side. */
export function decompositionPoints(cohort: TrendsCohort, range: TrendRange): DecompositionPoint[] {
  const start = rangeStart(cohort.dates.at(-1) ?? null, range);
  const rows: DecompositionPoint[] = [];
  cohort.dates.forEach((date, i) => {
    if (start !== null && date < start) return;
    const row: DecompositionPoint = {
      date,
      day: date,
      raw: cohort.raw[i] ?? null,
      adjusted: cohort.adjusted[i] ?? null,
      trend: cohort.trend?.[i] ?? null,
      remainder: cohort.remainder?.[i] ?? null,
    };
    for (const seasonal of cohort.seasonals) {
      row[`seasonal_${seasonal.period}`] = seasonal.values[i] ?? null;
    }
    rows.push(row);
  });
  return rows;
}

/** Heights of the decomposition's panels, and roughly what titles, legend and axis add. */
const PANEL_HEIGHT = { observed: 150, trend: 100, seasonal: 80, remainder: 80 } as const;
const PANEL_EXTRA = 28;

/** About how tall the decomposition of `cohort` is drawn, to reserve room while it loads. */
export function decompositionHeight(cohort: TrendsCohort): number {
  if (!hasDecomposition(cohort)) return PANEL_HEIGHT.observed + 2 * PANEL_EXTRA;
  const panels = 3 + cohort.seasonals.length;
  return (
    PANEL_HEIGHT.observed +
    PANEL_HEIGHT.trend +
    PANEL_HEIGHT.seasonal * cohort.seasonals.length +
    PANEL_HEIGHT.remainder +
    panels * PANEL_EXTRA
  );
}

const PANEL_TITLE = { anchor: 'start' as const, fontSize: 12, fontWeight: 600 as const, offset: 4 };
const OBSERVED_COLORS = { domain: ['Raw', 'Adjusted'], range: ['#9aa5b1', '#1f4fbf'] };

/**
 * One cohort's decomposition as panels stacked on one shared time axis: observed (raw and
 * adjusted), trend, each seasonal component and the remainder. A multiplicative fit gives the
 * seasonal components and the remainder as factors around 1 (0.8 is 20% below), an additive
 * one as differences around 0; each such panel has a rule at that baseline.
 */
export function decompositionSpec(
  cohort: TrendsCohort,
  options: DecompositionOptions,
): TopLevelSpec {
  const unit = gridUnit(cohort.dates);
  const points = decompositionPoints(cohort, options.range);
  const [first, last] = dateSpan(points);
  const multiplicative = cohort.model === 'multiplicative';
  const baseline = multiplicative ? 1 : 0;
  const kind = multiplicative ? 'factor' : 'difference';
  const x = (bottom: boolean) => ({
    field: 'date',
    type: 'temporal' as const,
    title: null,
    scale: { type: 'utc' as const },
    axis: bottom
      ? timeAxis(first, last)
      : { labels: false, ticks: false, domain: false, title: null },
  });
  const y = (field: string, format: string) => ({
    field,
    type: 'quantitative' as const,
    title: null,
    scale: { zero: false, nice: true },
    axis: { format, tickCount: 4 },
  });
  const tooltip = (field: string, title: string, format: string) => [
    { field: 'day', type: 'nominal' as const, title: 'Date' },
    { field, type: 'quantitative' as const, title, format },
  ];
  const componentFormat = multiplicative ? '.2f' : ',.2f';
  const rule = {
    mark: { type: 'rule' as const, color: '#b9c1cc', strokeDash: [3, 3] },
    encoding: { y: { datum: baseline } },
  };
  const component = (field: string, title: string, bottom: boolean, height: number) => ({
    title: { ...PANEL_TITLE, text: title },
    width: 'container' as const,
    height,
    layer: [
      rule,
      {
        mark: { type: 'line' as const, color: '#1b2430', strokeWidth: 1.1 },
        encoding: {
          x: x(bottom),
          y: y(field, componentFormat),
          tooltip: tooltip(field, title, componentFormat),
        },
      },
    ],
  });
  const seasonals = cohort.seasonals.map(({ period }) =>
    component(
      `seasonal_${period}`,
      `${seasonalLabel(period, unit)} (${kind})`,
      false,
      PANEL_HEIGHT.seasonal,
    ),
  );
  const decomposed = hasDecomposition(cohort);
  // Without a decomposition the adjusted series is the raw one: draw it once.
  const rawOnly = {
    title: { ...PANEL_TITLE, text: `${options.seriesLabel}: raw` },
    width: 'container' as const,
    height: PANEL_HEIGHT.observed,
    mark: { type: 'line' as const, color: '#1b2430', strokeWidth: 1.2 },
    encoding: {
      x: x(true),
      y: y('raw', ',~s'),
      tooltip: tooltip('raw', options.seriesLabel, ',.2f'),
    },
  };
  const observed = {
    title: { ...PANEL_TITLE, text: `${options.seriesLabel}: raw and adjusted` },
    width: 'container' as const,
    height: PANEL_HEIGHT.observed,
    transform: [
      { fold: ['raw', 'adjusted'], as: ['component', 'value'] as [string, string] },
      { calculate: "datum.component === 'raw' ? 'Raw' : 'Adjusted'", as: 'series' },
    ],
    mark: { type: 'line' as const, strokeWidth: 1.2 },
    encoding: {
      x: x(false),
      y: y('value', ',~s'),
      color: {
        field: 'series',
        type: 'nominal' as const,
        title: null,
        scale: OBSERVED_COLORS,
        legend: {
          orient: 'top' as const,
          direction: 'horizontal' as const,
          symbolType: 'stroke',
        },
      },
      tooltip: [
        { field: 'day', type: 'nominal' as const, title: 'Date' },
        { field: 'series', type: 'nominal' as const, title: 'Series' },
        {
          field: 'value',
          type: 'quantitative' as const,
          title: options.seriesLabel,
          format: ',.2f',
        },
      ],
    },
  };
  const trend = {
    title: { ...PANEL_TITLE, text: 'Trend' },
    width: 'container' as const,
    height: PANEL_HEIGHT.trend,
    mark: { type: 'line' as const, color: '#1f4fbf', strokeWidth: 1.6 },
    encoding: {
      x: x(false),
      y: y('trend', ',~s'),
      tooltip: tooltip('trend', 'Trend', ',.2f'),
    },
  };
  const remainder = {
    title: { ...PANEL_TITLE, text: `Remainder (${kind})` },
    width: 'container' as const,
    height: PANEL_HEIGHT.remainder,
    layer: [
      rule,
      {
        mark: { type: 'rule' as const, color: '#556070', strokeWidth: 1 },
        encoding: {
          x: x(true),
          y: y('remainder', componentFormat),
          y2: { datum: baseline },
          tooltip: tooltip('remainder', 'Remainder', componentFormat),
        },
      },
    ],
  };
  return {
    $schema: SCHEMA,
    description: `Decomposition of ${options.seriesLabel.toLowerCase()} for ${cohort.cohort}`,
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { values: points },
    vconcat: decomposed ? [observed, trend, ...seasonals, remainder] : [rawOnly],
    spacing: 14,
    resolve: { scale: { x: 'shared', y: 'independent', color: 'independent' } },
  };
}
