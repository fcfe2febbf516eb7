/**
 * Chart specs for the account page, as pure functions of the API's data: why the score is what it
 * is (contributions), its history against the band thresholds, each metric against its segment,
 * and the account's activity over time. Scores and contributions are shown with one decimal, and
 * the shown contributions are rounded so that they add up to exactly the shown score.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { HistoryPoint, MetricContribution, MetricDistribution } from '../api/account.ts';
import { BAND_COLOR, BAND_LABEL, BANDS, type Band } from './bands.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Decimals a score, or a part of one, is shown with. */
export const SCORE_DECIMALS = 1;
const UNITS_PER_POINT = 10 ** SCORE_DECIMALS;

/** A score as it is shown: rounded to SCORE_DECIMALS. */
export function roundScore(score: number): number {
  return Math.round(score * UNITS_PER_POINT) / UNITS_PER_POINT;
}

/** A score as text, always with SCORE_DECIMALS decimals: 62.0, not 62. */
export function formatScore(score: number): string {
  return roundScore(score).toFixed(SCORE_DECIMALS);
}

/** A change in score points with its sign: "+3.2", "−1.5" (a real minus sign), "0.0". */
export function formatPoints(points: number): string {
  const rounded = roundScore(points);
  const text = Math.abs(rounded).toFixed(SCORE_DECIMALS);
  if (rounded > 0) return `+${text}`;
  if (rounded < 0) return `\u2212${text}`;
  return text;
}

export function isBand(value: string | null | undefined): value is Band {
  return value === 'red' || value === 'yellow' || value === 'green';
}

/** The band a score falls in: below `red` is red, below `yellow` is yellow, else green. */
export function bandOf(score: number, bands: BandThresholds): Band {
  if (score < bands.red) return 'red';
  if (score < bands.yellow) return 'yellow';
  return 'green';
}

export interface BandThresholds {
  red: number;
  yellow: number;
}

// ---------------------------------------------------------------------------------------------
// Contributions

export interface ContributionPart {
  component: string;
  metric: string;
  /** The exact contribution in score points. */
  contribution: number;
  /** The contribution as shown: SCORE_DECIMALS decimals, the parts summing to the shown score. */
  shown: number;
}

/**
 * The counted metrics' contributions, each rounded so that the rounded parts add up to exactly
 * the rounded score (largest remainder: round every part down, then give the units still missing
 * to the parts that lost most). Metrics without a contribution are left out; they add nothing.
 */
export function contributionParts(
  metrics: readonly MetricContribution[],
  score: number,
): ContributionPart[] {
  const counted = metrics.filter(
    (entry): entry is MetricContribution & { contribution: number } => entry.contribution !== null,
  );
  if (counted.length === 0) return [];
  const scaled = counted.map((entry) => entry.contribution * UNITS_PER_POINT);
  const units = scaled.map((value) => Math.floor(value));
  let missing = Math.round(score * UNITS_PER_POINT) - units.reduce((sum, value) => sum + value, 0);
  const byRemainder = scaled
    .map((value, i) => ({ i, remainder: value - (units[i] as number) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  // Usually 0 <= missing < parts; the loop also settles a score that is not quite the sum.
  for (let step = 0; missing !== 0; step += 1) {
    const direction = Math.sign(missing);
    const pick = direction > 0 ? step : byRemainder.length - 1 - step;
    const { i } = byRemainder[((pick % counted.length) + counted.length) % counted.length]!;
    units[i] = (units[i] as number) + direction;
    missing -= direction;
  }
  return counted.map((entry, i) => ({
    component: entry.component,
    metric: entry.metric,
    contribution: entry.contribution,
    shown: (units[i] as number) / UNITS_PER_POINT,
  }));
}

/** Categorical colours for components: Okabe-Ito hues the bands do not use, then greys. */
export const COMPONENT_COLORS = ['#0072B2', '#56B4E9', '#CC79A7', '#4A5565', '#9AA5B1', '#000000'];
export const TOTAL_LABEL = 'Score';
const TOTAL_COLOR = '#1b2430';

export interface WaterfallRow {
  /** The y-axis label: the metric, or `Score` for the total. */
  label: string;
  component: string;
  start: number;
  end: number;
  shown: number;
  text: string;
}

/** The waterfall's rows: each part from where the previous one ended, then the total from 0. */
export function waterfallRows(parts: readonly ContributionPart[], score: number): WaterfallRow[] {
  const duplicated = new Set(
    parts.map((part) => part.metric).filter((metric, i, all) => all.indexOf(metric) !== i),
  );
  let cumulative = 0;
  const rows = parts.map((part) => {
    const start = cumulative;
    cumulative += part.contribution;
    return {
      label: duplicated.has(part.metric) ? `${part.metric} (${part.component})` : part.metric,
      component: part.component,
      start,
      end: cumulative,
      shown: part.shown,
      text: formatPoints(part.shown),
    };
  });
  const total = roundScore(score);
  rows.push({
    label: TOTAL_LABEL,
    component: TOTAL_LABEL,
    start: 0,
    end: score,
    shown: total,
    text: formatScore(total),
  });
  return rows;
}

/**
 * A horizontal waterfall of the score: one bar per metric, in score points, starting where the
 * previous one ended and coloured by component (named in the legend), then the score itself.
 */
export function contributionSpec(
  metrics: readonly MetricContribution[],
  score: number,
): TopLevelSpec {
  const parts = contributionParts(metrics, score);
  const rows = waterfallRows(parts, score);
  const components = [...new Set(parts.map((part) => part.component))];
  const y = {
    field: 'label',
    type: 'nominal' as const,
    sort: null,
    axis: { title: null, labelLimit: 240 },
  };
  return {
    $schema: SCHEMA,
    width: 'container',
    // A fixed height per row: a `step` height would stop the width from fitting its container.
    height: rows.length * 22,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar', cornerRadius: 2 },
        encoding: {
          y,
          x: {
            field: 'start',
            type: 'quantitative',
            scale: { domain: [0, 100] },
            axis: { title: 'Score points', values: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100] },
          },
          x2: { field: 'end' },
          color: {
            field: 'component',
            type: 'nominal',
            scale: {
              domain: [...components, TOTAL_LABEL],
              range: [
                ...components.map((_, i) => COMPONENT_COLORS[i % COMPONENT_COLORS.length]!),
                TOTAL_COLOR,
              ],
            },
            legend: { title: 'Component', orient: 'bottom', direction: 'horizontal' },
          },
          tooltip: [
            { field: 'component', title: 'Component' },
            { field: 'label', title: 'Metric' },
            { field: 'text', title: 'Points' },
          ],
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, color: '#1b2430' },
        encoding: { y, x: { field: 'end', type: 'quantitative' }, text: { field: 'text' } },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// History

export interface BandArea {
  band: Band;
  label: string;
  from: number;
  to: number;
  /** "Red: below 50", "Yellow: 50 to 75", "Green: 75 and up". */
  text: string;
}

/** The score range of each band on a 0-100 scale. */
export function bandAreas(bands: BandThresholds): BandArea[] {
  const area = (band: Band, from: number, to: number, text: string): BandArea => ({
    band,
    label: BAND_LABEL[band],
    from,
    to,
    text,
  });
  return [
    area('red', 0, bands.red, `Red: below ${bands.red}`),
    area('yellow', bands.red, bands.yellow, `Yellow: ${bands.red} to ${bands.yellow}`),
    area('green', bands.yellow, 100, `Green: ${bands.yellow} and up`),
  ];
}

/** A colour scale over band labels ("Red", ...) in band order, for legends that name them. */
export function bandLabelScale(): { domain: string[]; range: string[] } {
  return {
    domain: BANDS.map((band) => BAND_LABEL[band]),
    range: BANDS.map((band) => BAND_COLOR[band]),
  };
}

const BAND_LEGEND = { title: 'Band', orient: 'bottom' as const, direction: 'horizontal' as const };
const BAND_SHAPES = { red: 'diamond', yellow: 'triangle-up', green: 'circle' } as const;

/**
 * The score over time on 0-100, with the bands behind it as tinted areas named on the chart and
 * their thresholds as dashed rules; each point is coloured and shaped by its band.
 */
export function historySpec(
  history: readonly HistoryPoint[],
  bands: BandThresholds | null,
): TopLevelSpec {
  const points = history
    .filter((point): point is HistoryPoint & { score: number } => point.score !== null)
    .map((point) => {
      const band = isBand(point.band) ? point.band : null;
      return {
        asOf: point.asOf,
        score: point.score,
        text: formatScore(point.score),
        band: band ? BAND_LABEL[band] : 'Unscored',
      };
    });
  const x = {
    field: 'asOf',
    type: 'temporal' as const,
    timeUnit: 'utcyearmonthdate' as const,
    axis: { title: null, format: '%b %Y', labelOverlap: true },
  };
  const y = {
    field: 'score',
    type: 'quantitative' as const,
    scale: { domain: [0, 100], nice: false },
    axis: { title: 'Score', values: [0, 20, 40, 60, 80, 100] },
  };
  const thresholdLayers = bands
    ? [
        {
          data: { values: bandAreas(bands) },
          mark: { type: 'rect' as const, opacity: 0.1 },
          encoding: {
            y: { field: 'from', type: 'quantitative' as const, scale: { domain: [0, 100] } },
            y2: { field: 'to' },
            // Fill, not colour: the points' colour and shape legend stays the only legend.
            fill: {
              field: 'label',
              type: 'nominal' as const,
              scale: bandLabelScale(),
              legend: null,
            },
          },
        },
        {
          data: { values: bandAreas(bands) },
          mark: {
            type: 'text' as const,
            x: 'width' as const,
            align: 'right' as const,
            baseline: 'top' as const,
            dx: -4,
            dy: 3,
            fontSize: 11,
            color: '#556070',
          },
          // Each band's name just inside the top of its area, at the right.
          encoding: {
            y: { field: 'to', type: 'quantitative' as const },
            text: { field: 'text' },
          },
        },
        {
          data: {
            values: [
              { band: BAND_LABEL.red, threshold: bands.red },
              { band: BAND_LABEL.yellow, threshold: bands.yellow },
            ],
          },
          mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#556070' },
          encoding: { y: { field: 'threshold', type: 'quantitative' as const } },
        },
      ]
    : [];
  return {
    $schema: SCHEMA,
    width: 'container',
    height: 240,
    layer: [
      ...thresholdLayers,
      {
        data: { values: points },
        mark: { type: 'line', color: '#1b2430', strokeWidth: 1.5 },
        encoding: { x, y },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 28, opacity: 1 },
        encoding: {
          x,
          y,
          color: {
            field: 'band',
            type: 'nominal',
            scale: bandLabelScale(),
            legend: BAND_LEGEND,
          },
          shape: {
            field: 'band',
            type: 'nominal',
            scale: {
              domain: BANDS.map((band) => BAND_LABEL[band]),
              range: BANDS.map((band) => BAND_SHAPES[band]),
            },
            legend: BAND_LEGEND,
          },
          tooltip: [
            { field: 'asOf', title: 'As of' },
            { field: 'text', title: 'Score' },
            { field: 'band', title: 'Band' },
          ],
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Metric against its segment

/** A compact number for a metric value: 4 significant digits, no exponent for common sizes. */
export function formatMetricValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** A distribution whose segment has values, so that its percentiles are all there. */
export type SegmentSpread = MetricDistribution & {
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
};

export function hasSpread(distribution: MetricDistribution): distribution is SegmentSpread {
  const { p10, p25, p50, p75, p90 } = distribution;
  return [p10, p25, p50, p75, p90].every((value) => value !== null);
}

/**
 * One metric of one account against the same metric over its segment: the p10-p90 range as a
 * line, the p25-p75 box, a tick at the median and the account's own value as a diamond.
 */
export function distributionSpec(distribution: SegmentSpread): TopLevelSpec {
  const { p10, p25, p50, p75, p90, value } = distribution;
  const summary = {
    metric: distribution.metric,
    p10,
    p25,
    p50,
    p75,
    p90,
    range: `${formatMetricValue(p10)} to ${formatMetricValue(p90)}`,
    middle: `${formatMetricValue(p25)} to ${formatMetricValue(p75)}`,
    median: formatMetricValue(p50),
  };
  const lowest = Math.min(p10, value ?? p10);
  const highest = Math.max(p90, value ?? p90);
  const pad = highest > lowest ? (highest - lowest) * 0.05 : Math.abs(highest) * 0.1 || 1;
  const x = {
    type: 'quantitative' as const,
    scale: { domain: [lowest - pad, highest + pad], nice: false, zero: false },
    axis: { title: null, tickCount: 5, grid: false },
  };
  const tooltip = [
    { field: 'range', title: 'p10 to p90' },
    { field: 'middle', title: 'p25 to p75' },
    { field: 'median', title: 'Median' },
  ];
  return {
    $schema: SCHEMA,
    width: 'container',
    height: 34,
    layer: [
      {
        data: { values: [summary] },
        mark: { type: 'rule', color: '#9AA5B1', strokeWidth: 2 },
        encoding: { x: { ...x, field: 'p10' }, x2: { field: 'p90' }, tooltip },
      },
      {
        data: { values: [summary] },
        mark: { type: 'bar', height: 16, color: '#c7d3e3', stroke: '#556070', strokeWidth: 1 },
        encoding: { x: { ...x, field: 'p25' }, x2: { field: 'p75' }, tooltip },
      },
      {
        data: { values: [summary] },
        mark: { type: 'tick', color: '#1b2430', thickness: 2, size: 22 },
        encoding: { x: { ...x, field: 'p50' }, tooltip },
      },
      {
        data: {
          values:
            value === null
              ? []
              : [{ value, text: formatMetricValue(value), metric: summary.metric }],
        },
        mark: { type: 'point', shape: 'diamond', filled: true, size: 130, color: '#0072B2' },
        encoding: {
          x: { ...x, field: 'value' },
          tooltip: [{ field: 'text', title: 'This account' }],
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Timeline

export const TIMELINE_KINDS = ['Ticket', 'Invoice', 'Survey', 'Milestone', 'Outcome'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEvent {
  /** YYYY-MM-DD. */
  date: string;
  kind: TimelineKind;
  /** What happened, in a few words. */
  label: string;
  /** More about it, or ''. */
  detail: string;
}

const KIND_SHAPES: Record<TimelineKind, string> = {
  Ticket: 'triangle-up',
  Invoice: 'square',
  Survey: 'circle',
  Milestone: 'diamond',
  Outcome: 'cross',
};

const KIND_COLORS: Record<TimelineKind, string> = {
  Ticket: '#CC79A7',
  Invoice: '#4A5565',
  Survey: '#56B4E9',
  Milestone: '#0072B2',
  Outcome: '#000000',
};

/** Events over time, one row per kind, each kind with its own shape; details in the tooltip. */
export function timelineSpec(events: readonly TimelineEvent[]): TopLevelSpec {
  const kinds = TIMELINE_KINDS.filter((kind) => events.some((event) => event.kind === kind));
  return {
    $schema: SCHEMA,
    width: 'container',
    height: Math.max(kinds.length, 1) * 34,
    data: { values: events.map((event) => ({ ...event })) },
    mark: { type: 'point', filled: true, size: 70, opacity: 0.85 },
    encoding: {
      x: {
        field: 'date',
        type: 'temporal',
        timeUnit: 'utcyearmonthdate',
        axis: { title: null, format: '%b %Y', labelOverlap: true },
      },
      y: { field: 'kind', type: 'nominal', sort: kinds, axis: { title: null } },
      shape: {
        field: 'kind',
        type: 'nominal',
        scale: { domain: kinds, range: kinds.map((kind) => KIND_SHAPES[kind]) },
        legend: null,
      },
      color: {
        field: 'kind',
        type: 'nominal',
        scale: { domain: kinds, range: kinds.map((kind) => KIND_COLORS[kind]) },
        legend: null,
      },
      tooltip: [
        { field: 'date', title: 'Date' },
        { field: 'kind', title: 'Kind' },
        { field: 'label', title: 'What' },
        { field: 'detail', title: 'Detail' },
      ],
    },
  };
}
