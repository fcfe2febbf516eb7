// Chart specs of the Cohorts page (web/src/charts/cohorts.ts) and where a cohort click leads
// (web/src/pages/cohorts/drill.ts). Runs in Node; every spec is compiled by vega-lite and run by
// vega headless, so a spec that would not draw fails here rather than in a browser.
import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, test } from 'vitest';
import type { CohortMonth } from '../../web/src/api/cohorts.ts';
import {
  cohortHeatmapSpec,
  cohortLinesSpec,
  cohortOrder,
  heatmapCells,
  heatmapDomain,
  MAX_LABELLED_MONTHS,
  monthOrder,
} from '../../web/src/charts/cohorts.ts';
import { canDrill, cohortAccountsHref } from '../../web/src/pages/cohorts/drill.ts';
import { compileWarnings, draw } from './vega.ts';

function monthsOf(
  cohorts: readonly string[],
  months: readonly string[],
  figures: (cohort: string, month: string, i: number) => Partial<CohortMonth> = () => ({}),
): CohortMonth[] {
  return cohorts.flatMap((cohort) =>
    months.map((month, i) => ({
      cohort,
      month,
      averageScore: 60 + i,
      accounts: 100,
      churned: 2,
      churnRate: 0.02,
      ...figures(cohort, month, i),
    })),
  );
}

const MONTHS_12 = [
  '2025-12',
  '2026-01',
  '2026-02',
  '2026-03',
  '2026-04',
  '2026-05',
  '2026-06',
  '2026-07',
  '2026-08',
  '2026-09',
  '2026-10',
  '2026-11',
];

describe('cohort drill-down', () => {
  test('segment, plan, region, industry and owner open the accounts list filtered', () => {
    expect(cohortAccountsHref('segment', 'SMB')).toBe('/accounts?segment=SMB');
    expect(cohortAccountsHref('plan', 'Growth')).toBe('/accounts?plan=Growth');
    expect(cohortAccountsHref('region', 'APAC, Japan')).toBe('/accounts?region=APAC%2C+Japan');
    expect(cohortAccountsHref('industry', 'Professional Services')).toBe(
      '/accounts?industry=Professional+Services',
    );
    expect(cohortAccountsHref('owner', 'Robin Haddad')).toBe('/accounts?owner=Robin+Haddad');
  });

  test('start quarters have no accounts filter, so they lead nowhere', () => {
    expect(cohortAccountsHref('start_quarter', '2024-Q1')).toBeNull();
    expect(canDrill('start_quarter')).toBe(false);
    expect(canDrill('segment')).toBe(true);
  });
});

describe('heatmap data', () => {
  const months = monthsOf(['SMB', 'Enterprise'], ['2026-02', '2026-01'], (cohort, month) =>
    cohort === 'SMB' && month === '2026-02' ? { averageScore: null, churnRate: null } : {},
  );

  test('one cell per cohort and month, the metric as value, the link when there is one', () => {
    const cells = heatmapCells(months, 'averageScore', (cohort) =>
      cohort === 'SMB' ? '/accounts?segment=SMB' : null,
    );
    expect(cells).toHaveLength(4);
    expect(cells[0]).toEqual({
      cohort: 'SMB',
      month: '2026-02',
      averageScore: null,
      accounts: 100,
      churned: 2,
      churnRate: null,
      value: null,
      href: '/accounts?segment=SMB',
    });
    expect(cells[2]).not.toHaveProperty('href');
    expect(heatmapCells(months, 'churnRate').map((cell) => cell.value)).toEqual([
      null,
      0.02,
      0.02,
      0.02,
    ]);
  });

  test('months in calendar order; cohorts in the given order, then any others', () => {
    expect(monthOrder(months)).toEqual(['2026-01', '2026-02']);
    expect(cohortOrder(['Enterprise'], months)).toEqual(['Enterprise', 'SMB']);
  });

  test('score colours span the data widened to fives, at least ten points; churn from 0', () => {
    expect(heatmapDomain([61.2, 67.9, null], 'averageScore')).toEqual([60, 70]);
    expect(heatmapDomain([42, 88], 'averageScore')).toEqual([40, 90]);
    expect(heatmapDomain([100, 100], 'averageScore')).toEqual([90, 100]);
    expect(heatmapDomain([0], 'averageScore')).toEqual([0, 10]);
    expect(heatmapDomain([], 'averageScore')).toEqual([0, 100]);
    expect(heatmapDomain([0.01, 0.04, null], 'churnRate')).toEqual([0, 0.04]);
    expect(heatmapDomain([0, null], 'churnRate')).toEqual([0, 0.01]);
  });
});

describe('cohortHeatmapSpec', () => {
  const cohorts = ['Enterprise', 'Mid-Market', 'SMB'];
  const months = monthsOf(cohorts, MONTHS_12, (cohort, month, i) => ({
    churnRate: cohort === 'SMB' ? 0.01 * i : 0.005,
    averageScore: cohort === 'SMB' && month === '2026-03' ? null : 55 + i,
  }));
  const href = (cohort: string) => cohortAccountsHref('segment', cohort);
  const spec = cohortHeatmapSpec(months, {
    metric: 'averageScore',
    fieldLabel: 'Segment',
    cohorts,
    href,
  }) as unknown as {
    width: unknown;
    data: unknown;
    layer: { mark: { type: string }; encoding: Record<string, unknown>; transform?: unknown[] }[];
    encoding: { x: { sort: string[] }; y: { sort: string[]; title: string } };
  };

  test('compiles without warnings, for both metrics, with and without links', () => {
    expect(compileWarnings(spec as unknown as TopLevelSpec)).toEqual([]);
    const churn = cohortHeatmapSpec(months, { metric: 'churnRate', fieldLabel: 'Plan', cohorts });
    expect(compileWarnings(churn)).toEqual([]);
  });

  test('cohorts are rows in the table order, months columns in calendar order', () => {
    expect(spec.encoding.y.sort).toEqual(cohorts);
    expect(spec.encoding.y.title).toBe('Segment');
    expect(spec.encoding.x.sort).toEqual(MONTHS_12);
    expect(spec.width).toBe('container');
  });

  test('a grey cell under every cell, the colour only where the metric exists', () => {
    const [base, colour, text] = spec.layer;
    expect(base!.mark).toMatchObject({ type: 'rect', fill: '#eef0f3' });
    expect(base!.transform).toBeUndefined();
    expect(colour!.transform).toEqual([{ filter: 'isValid(datum.value)' }]);
    expect(colour!.encoding.color).toMatchObject({
      field: 'value',
      title: 'Average score',
      scale: { scheme: 'blueorange', reverse: true, domain: [55, 70] },
    });
    expect(text!.mark.type).toBe('text');
    expect(text!.encoding.text).toMatchObject({ field: 'value', format: '.0f' });
  });

  test('every cell has the tooltip and links to its cohort', () => {
    for (const layer of spec.layer) {
      // Links travel as data for an in-app navigation, not as vega's page-loading href channel.
      expect(layer.encoding).not.toHaveProperty('href');
      const fields = (layer.encoding.tooltip as { field: string }[]).map((entry) => entry.field);
      expect(fields).toEqual([
        'cohort',
        'month',
        'averageScore',
        'accounts',
        'churned',
        'churnRate',
      ]);
    }
    expect(
      spec.layer.some((layer) => (layer.mark as { cursor?: string }).cursor === 'pointer'),
    ).toBe(true);
    const values = (spec.data as { values: { href?: string; cohort: string }[] }).values;
    expect(values.find((cell) => cell.cohort === 'Mid-Market')?.href).toBe(
      '/accounts?segment=Mid-Market',
    );
  });

  test('start-quarter cells link nowhere', () => {
    const quarters = cohortHeatmapSpec(monthsOf(['2024-Q1'], MONTHS_12), {
      metric: 'averageScore',
      fieldLabel: 'Start quarter',
      cohorts: ['2024-Q1'],
      href: (cohort) => cohortAccountsHref('start_quarter', cohort),
    }) as unknown as { layer: { encoding: Record<string, unknown> }[] };
    for (const layer of quarters.layer) expect(layer.encoding).not.toHaveProperty('href');
  });

  test('churn rates are percentages from 0; too many months leave the numbers to tooltips', () => {
    const many = Array.from(
      { length: MAX_LABELLED_MONTHS + 1 },
      (_, i) => `20${String(24 + Math.floor(i / 12))}-${String((i % 12) + 1).padStart(2, '0')}`,
    );
    const churn = cohortHeatmapSpec(monthsOf(['A'], many), {
      metric: 'churnRate',
      fieldLabel: 'Plan',
      cohorts: ['A'],
    }) as unknown as { layer: { encoding: { color?: { scale: unknown; legend: unknown } } }[] };
    expect(churn.layer).toHaveLength(2);
    expect(churn.layer[1]!.encoding.color).toMatchObject({
      scale: { scheme: 'oranges', domain: [0, 0.02] },
      legend: { format: '.1%' },
    });
  });

  test('draws one coloured cell per known value, a grey one per cell and a number in each', async () => {
    const svg = await draw(spec as unknown as TopLevelSpec);
    const count = (role: string) => svg.split(`aria-roledescription="${role} mark"`).length - 1;
    expect(count('rect')).toBe(2 * 36 - 1);
    expect(count('text')).toBe(35);
    expect(svg).toContain('Dec 2025');
  });
});

describe('cohortLinesSpec', () => {
  const cohorts = ['Growth', 'Starter'];
  const months = monthsOf(cohorts, MONTHS_12, (cohort, month) =>
    cohort === 'Starter' && month === '2026-05' ? { averageScore: null } : {},
  );
  const spec = cohortLinesSpec(months, { fieldLabel: 'Plan', cohorts }) as unknown as {
    data: { values: { cohort: string; month: string }[] };
    encoding: Record<string, { field?: string; sort?: unknown; legend?: unknown }>;
    width: string;
  };

  test('compiles without warnings and draws', async () => {
    expect(compileWarnings(spec as unknown as TopLevelSpec)).toEqual([]);
    const svg = await draw(spec as unknown as TopLevelSpec);
    expect(svg).toContain('Growth');
  });

  test('one line per cohort, told apart by colour and dash in one legend', () => {
    expect(spec.encoding.color).toMatchObject({ field: 'cohort', sort: cohorts });
    expect(spec.encoding.strokeDash).toMatchObject({ field: 'cohort', sort: cohorts });
    expect(spec.encoding.strokeDash!.legend).toEqual(spec.encoding.color!.legend);
    expect(spec.encoding.x).toMatchObject({ field: 'month', sort: MONTHS_12 });
    expect(spec.width).toBe('container');
  });

  test('months without a score are left out, so the line breaks rather than drops to 0', () => {
    expect(spec.data.values).toHaveLength(23);
    expect(spec.data.values.some((v) => v.cohort === 'Starter' && v.month === '2026-05')).toBe(
      false,
    );
  });
});
