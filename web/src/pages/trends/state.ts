/**
 * The Trends page's choices, kept in the URL query: which series, cohorts of which field, which
 * cohort to decompose, raw or adjusted, and how much time to show. Defaults stay out of the URL.
 */
import {
  isCohortField,
  isTrendSeries,
  type CohortField,
  type TrendSeries,
} from '../../api/trends.ts';
import {
  TREND_RANGES,
  type TrendRange,
  type TrendScale,
  type TrendView,
} from '../../charts/trends.ts';
import type { QueryPatch } from '../../router/paths.ts';
import type { ReadonlyQuery } from '../../router/router.svelte.ts';

export interface TrendsState {
  series: TrendSeries;
  by: CohortField;
  /** The cohort to decompose; null picks the first. */
  cohort: string | null;
  view: TrendView;
  scale: TrendScale;
  range: TrendRange;
}

export const DEFAULT_TRENDS: TrendsState = {
  series: 'active_users',
  by: 'segment',
  cohort: null,
  view: 'adjusted',
  scale: 'values',
  range: 'all',
};

export function parseTrends(query: Pick<ReadonlyQuery, 'get'>): TrendsState {
  const series = query.get('series');
  const by = query.get('by');
  const range = query.get('range');
  const cohort = query.get('cohort');
  return {
    series: isTrendSeries(series) ? series : DEFAULT_TRENDS.series,
    by: isCohortField(by) ? by : DEFAULT_TRENDS.by,
    cohort: cohort === null || cohort === '' ? null : cohort,
    view: query.get('view') === 'raw' ? 'raw' : 'adjusted',
    scale: query.get('scale') === 'indexed' ? 'indexed' : 'values',
    range: (TREND_RANGES as readonly (string | null)[]).includes(range)
      ? (range as TrendRange)
      : DEFAULT_TRENDS.range,
  };
}

/** The patch that writes `state` to the URL, defaults left out. */
export function trendsToQuery(state: TrendsState): QueryPatch {
  const differs = <K extends keyof TrendsState>(key: K) =>
    state[key] === DEFAULT_TRENDS[key] ? null : state[key];
  return {
    series: differs('series'),
    by: differs('by'),
    cohort: state.cohort,
    view: differs('view'),
    scale: differs('scale'),
    range: differs('range'),
  };
}

/**
 * `state` with `patch` applied. Cohorts belong to a field, so a new field forgets the chosen
 * cohort; a new series keeps it (the cohorts of a field are the same for every series).
 */
export function changeTrends(state: TrendsState, patch: Partial<TrendsState>): TrendsState {
  const next = { ...state, ...patch };
  if (patch.by !== undefined && patch.by !== state.by && patch.cohort === undefined) {
    next.cohort = null;
  }
  return next;
}
