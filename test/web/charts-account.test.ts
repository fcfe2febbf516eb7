// The account page's chart specs and numbers (web/src/charts/account.ts) and its timeline
// (web/src/pages/account/timeline.ts). Runs in Node; every spec is also compiled by vega-lite.
import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, test } from 'vitest';
import type { AccountDetail, HistoryPoint, MetricContribution } from '../../web/src/api/account.ts';
import {
  bandAreas,
  bandOf,
  contributionParts,
  contributionSpec,
  distributionSpec,
  formatPoints,
  formatScore,
  hasSpread,
  historySpec,
  roundScore,
  type SegmentSpread,
  timelineSpec,
  TOTAL_LABEL,
  waterfallRows,
} from '../../web/src/charts/account.ts';
import { BAND_COLOR } from '../../web/src/charts/bands.ts';
import { contributionGroups, segmentPosition } from '../../web/src/pages/account/account-view.ts';
import { timelineEvents } from '../../web/src/pages/account/timeline.ts';
import { compileWarnings } from './vega.ts';

const layers = (spec: TopLevelSpec) => (spec as unknown as { layer: Layer[] }).layer;
interface Layer {
  data?: { values: Record<string, unknown>[] };
  mark: string | { type: string };
  encoding: Record<string, Record<string, unknown>>;
}
const markType = (layer: Layer) => (typeof layer.mark === 'string' ? layer.mark : layer.mark.type);
const values = (spec: TopLevelSpec) =>
  (spec as unknown as { data: { values: Record<string, unknown>[] } }).data.values;

const metric = (
  component: string,
  name: string,
  contribution: number | null,
  extra: Partial<MetricContribution> = {},
): MetricContribution => ({
  component,
  metric: name,
  raw: 1,
  normalized: contribution === null ? null : 50,
  weight: 0.1,
  contribution,
  missing: contribution === null ? 'dropped' : null,
  ...extra,
});

// Parts whose one-decimal roundings add up to 16.3 while the exact sum rounds to 16.4.
const METRICS = [
  metric('usage', 'active_user_ratio_30d', 4.14),
  metric('usage', 'logins_trend_90d', 4.14),
  metric('support', 'csat_avg_180d', 4.14),
  metric('support', 'tickets_opened_90d', 3.95),
  metric('relationship', 'nps_change', null),
];
const SCORE = 4.14 * 3 + 3.95; // 16.37

/** Sum in tenths, so that float addition cannot blur an exact comparison. */
const tenths = (numbers: number[]) => numbers.reduce((sum, n) => sum + Math.round(n * 10), 0);

describe('score numbers', () => {
  test('scores are shown with one decimal, changes with their sign', () => {
    expect(roundScore(62.449)).toBe(62.4);
    expect(formatScore(62)).toBe('62.0');
    expect(formatScore(16.37)).toBe('16.4');
    expect(formatPoints(3.21)).toBe('+3.2');
    expect(formatPoints(-1.54)).toBe('\u22121.5');
    expect(formatPoints(0.04)).toBe('0.0');
  });

  test('a score is red below the red threshold, yellow below yellow, else green', () => {
    const bands = { red: 50, yellow: 75 };
    expect(bandOf(49.99, bands)).toBe('red');
    expect(bandOf(50, bands)).toBe('yellow');
    expect(bandOf(74.9, bands)).toBe('yellow');
    expect(bandOf(75, bands)).toBe('green');
  });
});

describe('contributionParts', () => {
  test('the shown parts add up to exactly the shown score, even when plain rounding would not', () => {
    const naive = tenths(METRICS.flatMap((m) => (m.contribution === null ? [] : [m.contribution])));
    expect(naive).toBe(163);
    const parts = contributionParts(METRICS, SCORE);
    expect(tenths(parts.map((part) => part.shown))).toBe(Math.round(SCORE * 10));
    expect(formatScore(SCORE)).toBe('16.4');
    expect(parts.map((part) => part.shown)).toEqual([4.2, 4.1, 4.1, 4.0]);
  });

  test('metrics without a contribution are left out; the exact values are kept', () => {
    const parts = contributionParts(METRICS, SCORE);
    expect(parts.map((part) => part.metric)).not.toContain('nps_change');
    expect(parts.map((part) => part.contribution)).toEqual([4.14, 4.14, 4.14, 3.95]);
  });

  test('for many random scores every part stays within one unit of its exact value', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let run = 0; run < 500; run += 1) {
      const count = 1 + Math.floor(random() * 18);
      const weights = Array.from({ length: count }, () => random());
      const total = weights.reduce((sum, w) => sum + w, 0);
      const score = random() * 100;
      const metrics = weights.map((w, i) => metric('c', `m${i}`, (w / total) * score));
      const parts = contributionParts(metrics, score);
      expect(tenths(parts.map((part) => part.shown))).toBe(Math.round(score * 10));
      for (const part of parts) {
        expect(Math.abs(part.shown - part.contribution)).toBeLessThan(0.1 + 1e-9);
      }
    }
  });

  test('a score that is not quite the sum of its parts still gets parts that sum to it', () => {
    const parts = contributionParts([metric('c', 'a', 10), metric('c', 'b', 10)], 19.7);
    expect(tenths(parts.map((part) => part.shown))).toBe(197);
    expect(contributionParts([metric('c', 'a', null)], 0)).toEqual([]);
  });
});

describe('contributionSpec', () => {
  const spec = contributionSpec(METRICS, SCORE);

  test('embeds one bar per counted metric, running on from the last, then the score', () => {
    const rows = values(spec);
    expect(rows.map((row) => row.label)).toEqual([
      'active_user_ratio_30d',
      'logins_trend_90d',
      'csat_avg_180d',
      'tickets_opened_90d',
      TOTAL_LABEL,
    ]);
    expect(rows[0]).toMatchObject({ start: 0, end: 4.14, shown: 4.2, text: '+4.2' });
    expect(rows[1]!.start).toBe(4.14);
    expect(rows[3]!.end).toBeCloseTo(SCORE, 9);
    expect(rows[4]).toMatchObject({ start: 0, end: SCORE, shown: 16.4, text: '16.4' });
  });

  test('the parts of the chart add up to the score it shows', () => {
    const rows = values(spec);
    const parts = rows.filter((row) => row.label !== TOTAL_LABEL).map((row) => row.shown as number);
    const total = rows.find((row) => row.label === TOTAL_LABEL)!.shown as number;
    expect(tenths(parts)).toBe(Math.round(total * 10));
  });

  test('bars span start to end on a 0-100 axis, coloured and named by component', () => {
    const [bar, text] = layers(spec);
    expect(markType(bar!)).toBe('bar');
    expect(bar!.encoding.x).toMatchObject({ field: 'start', scale: { domain: [0, 100] } });
    expect(bar!.encoding.x2).toEqual({ field: 'end' });
    expect(bar!.encoding.y).toMatchObject({ field: 'label', sort: null });
    expect(bar!.encoding.color).toMatchObject({
      field: 'component',
      scale: { domain: ['usage', 'support', TOTAL_LABEL] },
      legend: { title: 'Component' },
    });
    expect(markType(text!)).toBe('text');
    expect(text!.encoding.text).toEqual({ field: 'text' });
    expect((spec as { width?: unknown }).width).toBe('container');
  });

  test('compiles without warnings', () => {
    expect(compileWarnings(spec)).toEqual([]);
  });

  test('duplicated metric names are told apart by component', () => {
    const rows = waterfallRows(contributionParts([metric('a', 'x', 1), metric('b', 'x', 2)], 3), 3);
    expect(rows.map((row) => row.label)).toEqual(['x (a)', 'x (b)', TOTAL_LABEL]);
  });
});

describe('historySpec', () => {
  const history: HistoryPoint[] = [
    { asOf: '2025-01-06', score: 80.04, band: 'green' },
    { asOf: '2025-01-13', score: 60, band: 'yellow' },
    { asOf: '2025-01-20', score: null, band: null },
    { asOf: '2025-01-27', score: 42.26, band: 'red' },
  ];
  const bands = { red: 50, yellow: 75 };
  const spec = historySpec(history, bands);
  const all = layers(spec);

  test('draws both thresholds as rules at the model band values', () => {
    const rules = all.find((layer) => markType(layer) === 'rule')!;
    expect(rules.data!.values.map((row) => row.threshold)).toEqual([50, 75]);
    expect(rules.encoding.y).toMatchObject({ field: 'threshold' });
  });

  test('tints each band area in its colour and names it on the chart', () => {
    expect(bandAreas(bands)).toEqual([
      { band: 'red', label: 'Red', from: 0, to: 50, text: 'Red: below 50' },
      { band: 'yellow', label: 'Yellow', from: 50, to: 75, text: 'Yellow: 50 to 75' },
      { band: 'green', label: 'Green', from: 75, to: 100, text: 'Green: 75 and up' },
    ]);
    const rect = all.find((layer) => markType(layer) === 'rect')!;
    expect(rect.encoding.fill!.scale).toEqual({
      domain: ['Red', 'Yellow', 'Green'],
      range: [BAND_COLOR.red, BAND_COLOR.yellow, BAND_COLOR.green],
    });
    const labels = all.find((layer) => markType(layer) === 'text')!;
    expect(labels.encoding.text).toEqual({ field: 'text' });
  });

  test('plots the scored points on 0-100, coloured, shaped and labelled by band', () => {
    const points = all.find((layer) => markType(layer) === 'point')!;
    expect(points.data!.values).toEqual([
      { asOf: '2025-01-06', score: 80.04, text: '80.0', band: 'Green' },
      { asOf: '2025-01-13', score: 60, text: '60.0', band: 'Yellow' },
      { asOf: '2025-01-27', score: 42.26, text: '42.3', band: 'Red' },
    ]);
    expect(points.encoding.y).toMatchObject({ field: 'score', scale: { domain: [0, 100] } });
    expect(points.encoding.x).toMatchObject({ field: 'asOf', type: 'temporal' });
    expect(points.encoding.color).toMatchObject({
      field: 'band',
      scale: { domain: ['Red', 'Yellow', 'Green'] },
      legend: { title: 'Band' },
    });
    expect(points.encoding.shape).toMatchObject({ field: 'band' });
    expect(markType(all.find((layer) => layer.encoding.y?.field === 'score')!)).toBe('line');
  });

  test('without bands it draws just the scores; both variants compile without warnings', () => {
    const plain = layers(historySpec(history, null));
    expect(plain.map(markType)).toEqual(['line', 'point']);
    expect(compileWarnings(spec)).toEqual([]);
    expect(compileWarnings(historySpec(history, null))).toEqual([]);
  });
});

describe('distributionSpec', () => {
  const distribution: SegmentSpread = {
    metric: 'logins_trend_90d',
    component: 'usage',
    value: 0.42,
    p10: -0.2,
    p25: -0.05,
    p50: 0.03,
    p75: 0.1,
    p90: 0.25,
    accounts: 120,
  };

  test('draws p10-p90 as a rule, p25-p75 as a box, the median as a tick, the value as a point', () => {
    const all = layers(distributionSpec(distribution));
    expect(all.map(markType)).toEqual(['rule', 'bar', 'tick', 'point']);
    expect(all[0]!.encoding.x).toMatchObject({ field: 'p10' });
    expect(all[0]!.encoding.x2).toEqual({ field: 'p90' });
    expect(all[1]!.encoding.x).toMatchObject({ field: 'p25' });
    expect(all[1]!.encoding.x2).toEqual({ field: 'p75' });
    expect(all[2]!.encoding.x).toMatchObject({ field: 'p50' });
    expect(all[3]!.encoding.x).toMatchObject({ field: 'value' });
    expect(all[0]!.data!.values[0]).toMatchObject({ p10: -0.2, p25: -0.05, p50: 0.03 });
    expect(all[3]!.data!.values).toEqual([
      { value: 0.42, text: '0.42', metric: 'logins_trend_90d' },
    ]);
  });

  test('the axis reaches a value outside p10-p90', () => {
    const [rule] = layers(distributionSpec(distribution));
    const domain = (rule!.encoding.x!.scale as { domain: [number, number] }).domain;
    expect(domain[0]).toBeLessThan(-0.2);
    expect(domain[1]).toBeGreaterThan(0.42);
  });

  test('an account without a value gets no point; a flat segment still gets a range', () => {
    const missing = layers(distributionSpec({ ...distribution, value: null }));
    expect(missing[3]!.data!.values).toEqual([]);
    const flat = distributionSpec({
      ...distribution,
      p10: 0,
      p25: 0,
      p50: 0,
      p75: 0,
      p90: 0,
      value: 0,
    });
    const domain = (layers(flat)[0]!.encoding.x!.scale as { domain: [number, number] }).domain;
    expect(domain[0]).toBeLessThan(domain[1]);
    expect(compileWarnings(distributionSpec(distribution))).toEqual([]);
  });

  test('a segment without values has no spread to draw', () => {
    expect(hasSpread(distribution)).toBe(true);
    expect(
      hasSpread({ ...distribution, p10: null, p25: null, p50: null, p75: null, p90: null }),
    ).toBe(false);
  });

  test("the account's place in its segment is put in words", () => {
    const at = (value: number | null) => segmentPosition({ ...distribution, value });
    expect(at(-0.3)).toBe('Below the 10th percentile');
    expect(at(-0.1)).toBe('Between the 10th and 25th percentiles');
    expect(at(0)).toBe('Between the 25th percentile and the median');
    expect(at(0.03)).toBe('At the median');
    expect(at(0.05)).toBe('Between the median and the 75th percentile');
    expect(at(0.2)).toBe('Between the 75th and 90th percentiles');
    expect(at(0.42)).toBe('Above the 90th percentile');
    expect(at(null)).toBe('No value for this account');
  });
});

describe('contributionGroups', () => {
  test('groups metrics by component; the groups add up to the shown score', () => {
    const groups = contributionGroups({
      asOf: '2025-11-23',
      score: SCORE,
      band: 'red',
      reason: null,
      components: [
        { component: 'usage', score: 41.4, weight: 0.2 },
        { component: 'support', score: 40.45, weight: 0.2 },
        { component: 'relationship', score: null, weight: null },
      ],
      metrics: METRICS,
    });
    expect(groups.map((group) => [group.component, group.points])).toEqual([
      ['usage', 8.3],
      ['support', 8.1],
      ['relationship', 0],
    ]);
    expect(tenths(groups.map((group) => group.points))).toBe(164);
    expect(groups[2]!.metrics[0]).toMatchObject({ metric: 'nps_change', shown: null });
  });
});

describe('timeline', () => {
  const detail: Pick<
    AccountDetail,
    'tickets' | 'invoices' | 'surveys' | 'milestones' | 'outcomes' | 'asOf'
  > = {
    asOf: '2025-11-23',
    tickets: [
      {
        ticket_id: 'T1',
        opened_at: '2025-11-12T18:28:46Z',
        closed_at: null,
        priority: 'high',
        csat: null,
      },
    ],
    invoices: [
      {
        invoice_id: 'I1',
        issued_on: '2025-10-01',
        due_on: '2025-10-31',
        paid_on: null,
        amount: 1200,
      },
    ],
    surveys: [{ date: '2025-09-02', kind: 'nps', score: 9 }],
    milestones: [{ milestone: 'first_integration', achieved_on: '2024-03-01' }],
    outcomes: [{ event_date: '2025-08-08', event: 'contracted', arr_delta: -1000 }],
  };

  test('every kind of activity becomes a dated event, newest first, in words', () => {
    const events = timelineEvents(detail);
    expect(events.map((event) => [event.date, event.kind])).toEqual([
      ['2025-11-12', 'Ticket'],
      ['2025-10-01', 'Invoice'],
      ['2025-09-02', 'Survey'],
      ['2025-08-08', 'Outcome'],
      ['2024-03-01', 'Milestone'],
    ]);
    expect(events[0]).toMatchObject({ detail: 'Still open' });
    expect(events[1]!.detail).toBe('Due 2025-10-31, unpaid and overdue');
    expect(events[2]!.label).toBe('NPS survey answered: 9');
    expect(events[3]).toMatchObject({ label: 'Contracted', detail: 'ARR \u22121,000' });
    expect(events[4]!.label).toBe('Milestone reached: first integration');
  });

  test('the spec puts each kind on its own row with its own shape, dates on x', () => {
    const events = timelineEvents(detail);
    const spec = timelineSpec(events);
    const encoding = (spec as unknown as Layer).encoding;
    expect(values(spec)).toHaveLength(5);
    expect(encoding.x).toMatchObject({ field: 'date', type: 'temporal' });
    expect(encoding.y).toMatchObject({
      field: 'kind',
      sort: ['Ticket', 'Invoice', 'Survey', 'Milestone', 'Outcome'],
    });
    expect(encoding.shape).toMatchObject({ field: 'kind' });
    expect(compileWarnings(spec)).toEqual([]);
  });

  test('kinds without events are left off the rows', () => {
    const spec = timelineSpec(timelineEvents({ ...detail, tickets: [], surveys: [] }));
    const encoding = (spec as unknown as Layer).encoding;
    expect(encoding.y!.sort).toEqual(['Invoice', 'Milestone', 'Outcome']);
  });
});
