// The overview page's chart specs (web/src/charts/overview.ts) and its numbers
// (web/src/pages/overview/). Runs in Node; every spec is also compiled by vega-lite.
import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, test } from 'vitest';
import type { DistributionBin, Overview, PortfolioTrend } from '../../web/src/api/overview.ts';
import { BAND_COLOR } from '../../web/src/charts/bands.ts';
import {
  ADJUSTED_LABEL,
  averageScoreRows,
  averageScoreSpec,
  distributionRows,
  RAW_LABEL,
  scoreDistributionSpec,
  shareRedSpec,
  trendMode,
} from '../../web/src/charts/overview.ts';
import { bandCards } from '../../web/src/pages/overview/band-cards.ts';
import {
  formatShare,
  formatSignedCount,
  formatSignedMoneyShort,
} from '../../web/src/pages/overview/numbers.ts';
import { compileWarnings } from './vega.ts';

interface Unit {
  data: { values: Record<string, unknown>[] };
  mark: { type: string };
  encoding: Record<string, Record<string, unknown>>;
}
const unit = (spec: TopLevelSpec) => spec as unknown as Unit;

const BINS: DistributionBin[] = Array.from({ length: 20 }, (_, i) => ({
  from: i * 5,
  to: i * 5 + 5,
  accounts: 0,
  red: 0,
  yellow: 0,
  green: 0,
}));
BINS[9] = { from: 45, to: 50, accounts: 7, red: 7, yellow: 0, green: 0 };
// A bin that a threshold cuts through holds accounts of two bands.
BINS[10] = { from: 50, to: 55, accounts: 12, red: 4, yellow: 8, green: 0 };
BINS[16] = { from: 80, to: 85, accounts: 30, red: 0, yellow: 0, green: 30 };

const TREND: PortfolioTrend = {
  raw: [
    { asOf: '2025-10-06', averageScore: 64.21, shareRed: 0.12, accounts: 400 },
    { asOf: '2025-10-13', averageScore: 63.5, shareRed: 0.125, accounts: 402 },
    { asOf: '2025-10-20', averageScore: null, shareRed: null, accounts: 0 },
  ],
  adjusted: [
    { asOf: '2025-10-06', averageScore: 65 },
    { asOf: '2025-10-13', averageScore: 65.25 },
  ],
  adjustment: 'STL over weekly averages, period 52',
};

describe('scoreDistributionSpec', () => {
  const spec = scoreDistributionSpec(BINS);

  test('embeds one row per bin and band with accounts, labelled by band', () => {
    expect(distributionRows(BINS)).toEqual([
      { from: 45, to: 50, band: 'Red', order: 0, accounts: 7, range: '45 to 50' },
      { from: 50, to: 55, band: 'Red', order: 0, accounts: 4, range: '50 to 55' },
      { from: 50, to: 55, band: 'Yellow', order: 1, accounts: 8, range: '50 to 55' },
      { from: 80, to: 85, band: 'Green', order: 2, accounts: 30, range: '80 to 85' },
    ]);
    expect(unit(spec).data.values).toEqual(distributionRows(BINS));
  });

  test('stacks pre-binned bars by band, coloured by the band palette and named in the legend', () => {
    const { encoding, mark } = unit(spec);
    expect(mark.type).toBe('bar');
    expect(encoding.x).toMatchObject({
      field: 'from',
      bin: { binned: true, step: 5 },
      scale: { domain: [0, 100] },
    });
    expect(encoding.x2).toEqual({ field: 'to' });
    expect(encoding.y).toMatchObject({ field: 'accounts', stack: 'zero' });
    expect(encoding.color).toEqual({
      field: 'band',
      type: 'nominal',
      scale: {
        domain: ['Red', 'Yellow', 'Green'],
        range: [BAND_COLOR.red, BAND_COLOR.yellow, BAND_COLOR.green],
      },
      legend: { title: 'Band', orient: 'top', direction: 'horizontal' },
    });
    expect(encoding.order).toMatchObject({ field: 'order' });
    expect((encoding.x!.axis as { title: string }).title).toBe('Score (bins of 5 points)');
    expect((spec as { width?: unknown }).width).toBe('container');
  });

  test('compiles without warnings, also with no accounts at all', () => {
    expect(compileWarnings(spec)).toEqual([]);
    expect(compileWarnings(scoreDistributionSpec([]))).toEqual([]);
  });
});

describe('portfolio trend', () => {
  test('adjusted is shown only when asked for and available', () => {
    expect(trendMode('adjusted', TREND)).toBe('adjusted');
    expect(trendMode(null, TREND)).toBe('raw');
    expect(trendMode('nonsense', TREND)).toBe('raw');
    expect(trendMode('adjusted', { ...TREND, adjusted: null })).toBe('raw');
  });

  test('raw mode embeds the raw average score, without missing points', () => {
    expect(averageScoreRows(TREND, 'raw')).toEqual([
      { asOf: '2025-10-06', series: RAW_LABEL, averageScore: 64.21, text: '64.2' },
      { asOf: '2025-10-13', series: RAW_LABEL, averageScore: 63.5, text: '63.5' },
    ]);
    const { encoding } = unit(averageScoreSpec(TREND, 'raw'));
    expect(encoding.x).toMatchObject({ field: 'asOf', type: 'temporal' });
    expect(encoding.y).toMatchObject({ field: 'averageScore' });
    expect(encoding.color).toMatchObject({ field: 'series', scale: { domain: [RAW_LABEL] } });
  });

  test('adjusted mode draws the adjusted series with the raw one for comparison, told apart by dash', () => {
    const spec = averageScoreSpec(TREND, 'adjusted');
    const rows = unit(spec).data.values;
    expect(
      rows.filter((row) => row.series === ADJUSTED_LABEL).map((row) => row.averageScore),
    ).toEqual([65, 65.25]);
    expect(rows.filter((row) => row.series === RAW_LABEL)).toHaveLength(2);
    const { encoding } = unit(spec);
    expect(encoding.color).toMatchObject({ scale: { domain: [ADJUSTED_LABEL, RAW_LABEL] } });
    expect(encoding.strokeDash).toMatchObject({ field: 'series' });
    expect(compileWarnings(spec)).toEqual([]);
    expect(compileWarnings(averageScoreSpec(TREND, 'raw'))).toEqual([]);
  });

  test('share red is a percentage over time in the red band colour', () => {
    const spec = shareRedSpec(TREND);
    const { data, encoding, mark } = unit(spec);
    expect(data.values).toEqual([
      { asOf: '2025-10-06', shareRed: 0.12, accounts: 400, text: '12.0%' },
      { asOf: '2025-10-13', shareRed: 0.125, accounts: 402, text: '12.5%' },
    ]);
    expect(encoding.y).toMatchObject({
      field: 'shareRed',
      axis: { title: 'Share Red', format: '.0%' },
    });
    expect(mark).toMatchObject({ color: BAND_COLOR.red });
    expect(compileWarnings(spec)).toEqual([]);
  });
});

describe('band cards', () => {
  const now = {
    red: { accounts: 12, arr: 1_200_000 },
    yellow: { accounts: 30, arr: 2_000_000 },
    green: { accounts: 58, arr: 5_000_000 },
    unscored: { accounts: 0, arr: 0 },
  };
  const previous = {
    red: { accounts: 10, arr: 1_000_000 },
    yellow: { accounts: 33, arr: 2_100_000 },
    green: { accounts: 58, arr: 5_000_000 },
    unscored: { accounts: 2, arr: 40_000 },
  };
  const bands = { now, previous } as Overview['bands'];

  test('one card per band with its share and the change since the previous date', () => {
    const cards = bandCards(bands);
    expect(cards.map((card) => card.key)).toEqual(['red', 'yellow', 'green', 'unscored']);
    expect(cards[0]).toMatchObject({
      label: 'Red',
      accounts: 12,
      arr: 1_200_000,
      share: 0.12,
      accountsChange: 2,
      arrChange: 200_000,
    });
    expect(cards[2]).toMatchObject({ accountsChange: 0, arrChange: 0 });
  });

  test('without a previous date there are no changes; unscored shows only when it has accounts', () => {
    const cards = bandCards({ now, previous: null });
    expect(cards.map((card) => card.key)).toEqual(['red', 'yellow', 'green']);
    expect(cards[0]).toMatchObject({ accountsChange: null, arrChange: null });
  });

  test('changes are written with their sign', () => {
    expect(formatSignedCount(2)).toBe('+2');
    expect(formatSignedCount(-1200)).toBe('\u22121,200');
    expect(formatSignedCount(0)).toBe('0');
    expect(formatSignedMoneyShort(200_000)).toBe('+200K');
    expect(formatSignedMoneyShort(-1_500_000)).toBe('\u22121.5M');
    expect(formatShare(0.125)).toBe('12.5%');
  });
});
