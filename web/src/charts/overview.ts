/**
 * Chart specs for the overview page, as pure functions of `GET /api/overview`: the score
 * distribution stacked by band, and the portfolio trend (average score, share of accounts red),
 * raw or seasonally adjusted. Bands are named in legends, never told by colour alone.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { DistributionBin, PortfolioTrend } from '../api/overview.ts';
import { bandLabelScale } from './account.ts';
import { BAND_COLOR, BAND_LABEL, BANDS } from './bands.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface DistributionRow {
  from: number;
  to: number;
  /** The band's label, "Red". */
  band: string;
  /** Position in band order, so stacks always run red, yellow, green from the bottom. */
  order: number;
  accounts: number;
  range: string;
}

/** The bins in long form: one row per bin and band that has accounts. */
export function distributionRows(bins: readonly DistributionBin[]): DistributionRow[] {
  return bins.flatMap((bin) =>
    BANDS.map((band, order) => ({
      from: bin.from,
      to: bin.to,
      band: BAND_LABEL[band],
      order,
      accounts: bin[band],
      range: `${bin.from} to ${bin.to}`,
    })).filter((row) => row.accounts > 0),
  );
}

/** A histogram of scores in bins of 5 points, each bar stacked by band. */
export function scoreDistributionSpec(bins: readonly DistributionBin[]): TopLevelSpec {
  const step = bins[0] ? bins[0].to - bins[0].from : 5;
  return {
    $schema: SCHEMA,
    width: 'container',
    height: 220,
    data: { values: distributionRows(bins) },
    mark: { type: 'bar', stroke: '#ffffff', strokeWidth: 0.5 },
    encoding: {
      x: {
        field: 'from',
        type: 'quantitative',
        bin: { binned: true, step },
        scale: { domain: [0, 100] },
        axis: { title: `Score (bins of ${step} points)`, values: [0, 20, 40, 60, 80, 100] },
      },
      x2: { field: 'to' },
      y: { field: 'accounts', type: 'quantitative', stack: 'zero', axis: { title: 'Accounts' } },
      color: {
        field: 'band',
        type: 'nominal',
        scale: bandLabelScale(),
        legend: { title: 'Band', orient: 'top', direction: 'horizontal' },
      },
      order: { field: 'order', type: 'quantitative' },
      tooltip: [
        { field: 'range', title: 'Score' },
        { field: 'band', title: 'Band' },
        { field: 'accounts', title: 'Accounts', type: 'quantitative' },
      ],
    },
  };
}

/** Which average-score series the trend shows; kept in the URL as `?trend=adjusted`. */
export type TrendMode = 'raw' | 'adjusted';

/** The mode the page shows: adjusted only when asked for and the overview has an adjusted series. */
export function trendMode(requested: string | null, trend: PortfolioTrend): TrendMode {
  return requested === 'adjusted' && trend.adjusted !== null ? 'adjusted' : 'raw';
}

export const RAW_LABEL = 'Raw';
export const ADJUSTED_LABEL = 'Seasonally adjusted';

const temporalX = {
  field: 'asOf',
  type: 'temporal' as const,
  timeUnit: 'utcyearmonthdate' as const,
  axis: { title: null, format: '%b %Y', labelOverlap: true },
};

const SERIES_LEGEND = { title: null, orient: 'top' as const, direction: 'horizontal' as const };

export interface AverageScoreRow {
  asOf: string;
  series: string;
  averageScore: number;
  text: string;
}

/** The average-score rows: raw, and in adjusted mode the adjusted series as well. */
export function averageScoreRows(trend: PortfolioTrend, mode: TrendMode): AverageScoreRow[] {
  const rows: AverageScoreRow[] = [];
  const add = (
    series: string,
    points: readonly { asOf: string; averageScore: number | null }[],
  ) => {
    for (const point of points) {
      if (point.averageScore === null) continue;
      rows.push({
        asOf: point.asOf,
        series,
        averageScore: point.averageScore,
        text: point.averageScore.toFixed(1),
      });
    }
  };
  if (mode === 'adjusted' && trend.adjusted) add(ADJUSTED_LABEL, trend.adjusted);
  add(RAW_LABEL, trend.raw);
  return rows;
}

/**
 * The portfolio's average score over time. Adjusted mode draws the seasonally adjusted series
 * solid and the raw one dashed and grey behind it, so the seasonal part is the gap between them.
 */
export function averageScoreSpec(trend: PortfolioTrend, mode: TrendMode): TopLevelSpec {
  const rows = averageScoreRows(trend, mode);
  const series = mode === 'adjusted' ? [ADJUSTED_LABEL, RAW_LABEL] : [RAW_LABEL];
  return {
    $schema: SCHEMA,
    width: 'container',
    height: 200,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2, point: false },
    encoding: {
      x: temporalX,
      y: {
        field: 'averageScore',
        type: 'quantitative',
        scale: { zero: false },
        axis: { title: 'Average score' },
      },
      color: {
        field: 'series',
        type: 'nominal',
        scale: {
          domain: series,
          range: mode === 'adjusted' ? ['#0072B2', '#9AA5B1'] : ['#0072B2'],
        },
        legend: SERIES_LEGEND,
      },
      strokeDash: {
        field: 'series',
        type: 'nominal',
        scale: {
          domain: series,
          range:
            mode === 'adjusted'
              ? [
                  [1, 0],
                  [5, 3],
                ]
              : [[1, 0]],
        },
        // The same legend as colour, so the two merge into one that shows both.
        legend: SERIES_LEGEND,
      },
      tooltip: [
        { field: 'asOf', title: 'As of' },
        { field: 'series', title: 'Series' },
        { field: 'text', title: 'Average score' },
      ],
    },
  };
}

/** The share of scored accounts in the red band over time (never seasonally adjusted). */
export function shareRedSpec(trend: PortfolioTrend): TopLevelSpec {
  const rows = trend.raw
    .filter((point): point is typeof point & { shareRed: number } => point.shareRed !== null)
    .map((point) => ({
      asOf: point.asOf,
      shareRed: point.shareRed,
      accounts: point.accounts,
      text: `${(point.shareRed * 100).toFixed(1)}%`,
    }));
  return {
    $schema: SCHEMA,
    width: 'container',
    height: 160,
    data: { values: rows },
    mark: { type: 'area', line: { color: BAND_COLOR.red }, color: BAND_COLOR.red, opacity: 0.25 },
    encoding: {
      x: temporalX,
      y: {
        field: 'shareRed',
        type: 'quantitative',
        axis: { title: `Share ${BAND_LABEL.red}`, format: '.0%' },
      },
      tooltip: [
        { field: 'asOf', title: 'As of' },
        { field: 'text', title: `Share ${BAND_LABEL.red}` },
        { field: 'accounts', title: 'Accounts scored', type: 'quantitative' },
      ],
    },
  };
}
