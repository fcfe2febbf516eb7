// Chart specs of the Trends page (web/src/charts/trends.ts) and its URL state
// (web/src/pages/trends/state.ts). Runs in Node; every spec is compiled by vega-lite and run by
// vega headless.
import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, test } from 'vitest';
import type { TrendsCohort, TrendsResult } from '../../web/src/api/trends.ts';
import {
  comparisonPoints,
  comparisonSpec,
  decompositionHeight,
  decompositionPoints,
  decompositionSpec,
  gridUnit,
  hasDecomposition,
  rangeStart,
  seasonalLabel,
  timeAxis,
} from '../../web/src/charts/trends.ts';
import {
  changeTrends,
  DEFAULT_TRENDS,
  parseTrends,
  trendsToQuery,
  type TrendsState,
} from '../../web/src/pages/trends/state.ts';
import { applyQuery } from '../../web/src/router/paths.ts';
import { compileWarnings, draw } from './vega.ts';

const DAY = 86_400_000;
function days(first: string, count: number, step = 1): string[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) =>
    new Date(start + i * step * DAY).toISOString().slice(0, 10),
  );
}

/** A decomposed daily cohort: level `level`, weekly factors, flat yearly, remainder 1. */
function decomposed(cohort: string, level: number, dates: string[]): TrendsCohort {
  const weekly = dates.map((_, i) => [0.5, 1.2, 1.2, 1.2, 1.2, 1.2, 0.5][i % 7]!);
  const raw = dates.map((_, i) => level * weekly[i]!);
  return {
    cohort,
    accounts: 10,
    dates,
    raw,
    trend: dates.map(() => level),
    seasonals: [
      { period: 7, values: weekly },
      { period: 365, values: dates.map(() => 1) },
    ],
    remainder: dates.map(() => 1),
    adjusted: dates.map(() => level),
    filled: 0,
    periods: [7, 365],
    model: 'multiplicative',
  };
}

function undecomposed(cohort: string, dates: string[], note: string): TrendsCohort {
  const raw = dates.map((_, i) => 50 + i);
  return {
    cohort,
    accounts: 3,
    dates,
    raw,
    trend: null,
    seasonals: [],
    remainder: null,
    adjusted: raw,
    filled: 0,
    periods: [],
    model: 'additive',
    note,
  };
}

const DATES = days('2024-01-01', 800);
const RESULT: TrendsResult = {
  series: 'active_users',
  by: 'segment',
  from: DATES[0]!,
  to: DATES.at(-1)!,
  cohorts: [decomposed('Enterprise', 200, DATES), decomposed('SMB', 10, DATES.slice(100))],
};

describe('ranges, grids and periods', () => {
  test('a range starts N days before the last day, counting the last day in', () => {
    expect(rangeStart('2026-11-23', '90')).toBe('2026-08-26');
    expect(rangeStart('2026-11-23', '365')).toBe('2025-11-24');
    expect(rangeStart('2026-11-23', 'all')).toBeNull();
    expect(rangeStart(null, '90')).toBeNull();
  });

  test('daily or weekly points, and the seasonal periods in words', () => {
    expect(gridUnit(['2026-01-01', '2026-01-02'])).toBe('day');
    expect(gridUnit(['2026-01-01', '2026-01-08'])).toBe('week');
    expect(gridUnit(['2026-01-01'])).toBe('day');
    expect(seasonalLabel(7, 'day')).toBe('Weekly');
    expect(seasonalLabel(365, 'day')).toBe('Yearly');
    expect(seasonalLabel(52, 'week')).toBe('Yearly');
    expect(seasonalLabel(30, 'day')).toBe('Every 30 days');
  });

  test('the time axis labels months with years, or days for short spans', () => {
    expect(timeAxis('2024-01-01', '2026-11-23')).toMatchObject({
      format: '%b %Y',
      tickCount: { interval: 'month', step: 3 },
    });
    expect(timeAxis('2026-01-01', '2026-11-23')).toMatchObject({
      tickCount: { interval: 'month', step: 2 },
    });
    expect(timeAxis('2026-08-26', '2026-11-23')).toEqual({ labelOverlap: true, format: '%d %b' });
    expect(timeAxis(undefined, undefined).format).toBe('%d %b');
  });
});

describe('comparisonPoints', () => {
  test('raw or adjusted values of every cohort, from the range start on', () => {
    const all = comparisonPoints(RESULT, 'raw', 'all');
    expect(all).toHaveLength(800 + 700);
    expect(all[0]).toEqual({
      cohort: 'Enterprise',
      date: '2024-01-01',
      day: '2024-01-01',
      value: 100,
    });
    const recent = comparisonPoints(RESULT, 'adjusted', '90');
    expect(recent).toHaveLength(180);
    expect(recent.every((point) => point.date >= '2025-12-11')).toBe(true);
    expect(new Set(recent.map((point) => point.value))).toEqual(new Set([200, 10]));
  });

  test('indexed: each cohort is 100 on average over its first four weeks in view', () => {
    const indexed = comparisonPoints(RESULT, 'adjusted', 'all', 'indexed');
    expect(new Set(indexed.map((point) => point.value))).toEqual(new Set([100]));
    const raw = comparisonPoints(RESULT, 'raw', '90', 'indexed');
    const smb = raw.filter((point) => point.cohort === 'SMB').slice(0, 28);
    const mean = smb.reduce((sum, point) => sum + point.value!, 0) / smb.length;
    expect(mean).toBeCloseTo(100, 10);
  });

  test('a cohort whose base is not above 0 cannot be indexed', () => {
    const zero = { ...RESULT, cohorts: [{ ...decomposed('Zero', 0, DATES.slice(0, 40)) }] };
    const points = comparisonPoints(zero, 'adjusted', 'all', 'indexed');
    expect(points.every((point) => point.value === null)).toBe(true);
  });
});

describe('comparisonSpec', () => {
  const options = {
    view: 'adjusted' as const,
    range: 'all' as const,
    scale: 'values' as const,
    seriesLabel: 'Active users',
    fieldLabel: 'Segment',
    selected: 'SMB',
  };
  const spec = comparisonSpec(RESULT, options) as unknown as {
    width: string;
    encoding: Record<string, Record<string, unknown>>;
  };

  test('compiles without warnings and draws one line per cohort', async () => {
    expect(compileWarnings(spec as unknown as TopLevelSpec)).toEqual([]);
    const svg = await draw(spec as unknown as TopLevelSpec);
    expect(svg.split('aria-roledescription="line mark"').length - 1).toBe(2);
  });

  test('cohorts differ by colour and dash; the selected one is drawn stronger', () => {
    expect(spec.width).toBe('container');
    expect(spec.encoding.color).toMatchObject({ field: 'cohort', sort: ['Enterprise', 'SMB'] });
    expect(spec.encoding.strokeDash!.legend).toEqual(spec.encoding.color!.legend);
    expect(spec.encoding.strokeWidth).toEqual({
      condition: { test: 'datum.cohort === "SMB"', value: 2.75 },
      value: 1.3,
    });
    expect(spec.encoding.x).toMatchObject({
      field: 'date',
      type: 'temporal',
      scale: { type: 'utc' },
    });
    expect(spec.encoding.y!.title).toBe('Active users, adjusted');
  });

  test('no emphasis for an unknown cohort; the axis says raw or indexed', () => {
    const plain = comparisonSpec(RESULT, {
      ...options,
      view: 'raw',
      scale: 'indexed',
      selected: 'Nobody',
    }) as unknown as { encoding: Record<string, Record<string, unknown>> };
    expect(plain.encoding.strokeWidth).toEqual({ value: 1.5 });
    expect(plain.encoding.y!.title).toBe('Active users (first 4 weeks = 100)');
  });
});

describe('decompositionSpec', () => {
  const cohort = RESULT.cohorts[0]!;
  const spec = decompositionSpec(cohort, {
    range: 'all',
    seriesLabel: 'Active users',
  }) as unknown as {
    vconcat: {
      title: { text: string };
      width: string;
      encoding?: Record<string, { axis?: Record<string, unknown> }>;
      layer?: { encoding?: Record<string, { axis?: Record<string, unknown> }> }[];
    }[];
    resolve: unknown;
    data: { values: Record<string, unknown>[] };
  };

  test('compiles without warnings and draws', async () => {
    expect(compileWarnings(spec as unknown as TopLevelSpec)).toEqual([]);
    const svg = await draw(spec as unknown as TopLevelSpec);
    expect(svg).toContain('Remainder (factor)');
  });

  test('aligned panels on one shared time axis, labelled only at the bottom', () => {
    expect(spec.vconcat.map((panel) => panel.title.text)).toEqual([
      'Active users: raw and adjusted',
      'Trend',
      'Weekly (factor)',
      'Yearly (factor)',
      'Remainder (factor)',
    ]);
    expect(spec.resolve).toMatchObject({ scale: { x: 'shared' } });
    expect(spec.vconcat.every((panel) => panel.width === 'container')).toBe(true);
    const xAxes = spec.vconcat.map(
      (panel) => (panel.encoding ?? panel.layer!.at(-1)!.encoding)!.x!.axis!,
    );
    expect(xAxes.slice(0, -1).every((axis) => axis.labels === false)).toBe(true);
    expect(xAxes.at(-1)!.labels).toBeUndefined();
  });

  test('one row per date with every component', () => {
    expect(spec.data.values).toHaveLength(800);
    // Fresh rows: vega tags the ones it has drawn with ids of its own.
    expect(decompositionPoints(cohort, 'all')[1]).toEqual({
      date: '2024-01-02',
      day: '2024-01-02',
      raw: 240,
      adjusted: 200,
      trend: 200,
      remainder: 1,
      seasonal_7: 1.2,
      seasonal_365: 1,
    });
    const recent = decompositionPoints(cohort, '90');
    expect(recent).toHaveLength(90);
    expect(recent[0]!.date).toBe(rangeStart(cohort.dates.at(-1)!, '90'));
  });

  test('an additive fit shows differences; weekly scores have a yearly period of 52', () => {
    const weeks = days('2024-01-01', 120, 7);
    const additive: TrendsCohort = {
      ...decomposed('Growth', 60, weeks),
      model: 'additive',
      seasonals: [{ period: 52, values: weeks.map(() => 0) }],
      periods: [52],
    };
    const titles = (
      decompositionSpec(additive, { range: 'all', seriesLabel: 'Health score' }) as unknown as {
        vconcat: { title: { text: string } }[];
      }
    ).vconcat.map((panel) => panel.title.text);
    expect(titles).toEqual([
      'Health score: raw and adjusted',
      'Trend',
      'Yearly (difference)',
      'Remainder (difference)',
    ]);
  });

  test('without a decomposition: the raw series alone, with its time axis', async () => {
    const short = undecomposed('2026-Q4', days('2026-10-01', 20), 'too short');
    expect(hasDecomposition(short)).toBe(false);
    const single = decompositionSpec(short, { range: 'all', seriesLabel: 'Logins' });
    expect(compileWarnings(single)).toEqual([]);
    const panels = (single as unknown as { vconcat: { title: { text: string } }[] }).vconcat;
    expect(panels.map((panel) => panel.title.text)).toEqual(['Logins: raw']);
    expect(await draw(single)).toContain('Logins: raw');
    expect(decompositionHeight(short)).toBeLessThan(decompositionHeight(cohort));
  });
});

describe('Trends URL state', () => {
  test('an empty query is the defaults; bad values fall back to them', () => {
    expect(parseTrends(new URLSearchParams(''))).toEqual(DEFAULT_TRENDS);
    expect(
      parseTrends(new URLSearchParams('series=seats&by=colour&view=x&range=7&scale=log&cohort=')),
    ).toEqual(DEFAULT_TRENDS);
  });

  test('writing and reading the URL gives the same state back; defaults stay out', () => {
    const states: TrendsState[] = [
      DEFAULT_TRENDS,
      {
        series: 'score',
        by: 'start_quarter',
        cohort: '2024-Q1',
        view: 'raw',
        scale: 'indexed',
        range: '90',
      },
      { ...DEFAULT_TRENDS, cohort: 'APAC, Japan & Co', range: '365' },
    ];
    for (const state of states) {
      const search = applyQuery('', trendsToQuery(state)).toString();
      expect(parseTrends(new URLSearchParams(search))).toEqual(state);
    }
    expect(applyQuery('', trendsToQuery(DEFAULT_TRENDS)).toString()).toBe('');
  });

  test('a new field forgets the cohort; a new series keeps it', () => {
    const state = { ...DEFAULT_TRENDS, cohort: 'SMB' };
    expect(changeTrends(state, { by: 'plan' }).cohort).toBeNull();
    expect(changeTrends(state, { series: 'logins' }).cohort).toBe('SMB');
    expect(changeTrends(state, { by: 'segment' }).cohort).toBe('SMB');
  });
});
