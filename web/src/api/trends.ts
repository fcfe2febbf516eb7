/**
 * Seasonality-adjusted cohort trends (GET /api/trends). The reply type is the server's own zod
 * schema; the lists of cohort fields and series are repeated here as values (the web app may not
 * import lab code), and the type checks below fail the build if the two ever disagree.
 */
import type { CohortField, TrendsResult, UsageSeries } from '../../../lab/seasonality/trends.ts';
import { getJson } from './client.ts';

export type { CohortField, TrendsCohort, TrendsResult } from '../../../lab/seasonality/trends.ts';

export const COHORT_FIELDS = [
  'segment',
  'plan',
  'region',
  'industry',
  'owner',
  'start_quarter',
] as const satisfies readonly CohortField[];

export const COHORT_FIELD_LABEL: Record<CohortField, string> = {
  segment: 'Segment',
  plan: 'Plan',
  region: 'Region',
  industry: 'Industry',
  owner: 'Owner',
  start_quarter: 'Start quarter',
};

/** The series a trends page offers: the usage columns and the health score. */
export const TREND_SERIES = [
  'active_users',
  'logins',
  'feature_events',
  'features_used',
  'score',
] as const satisfies readonly (UsageSeries | 'score')[];
export type TrendSeries = (typeof TREND_SERIES)[number];

export const TREND_SERIES_LABEL: Record<TrendSeries, string> = {
  active_users: 'Active users',
  logins: 'Logins',
  feature_events: 'Feature events',
  features_used: 'Features used',
  score: 'Health score',
};

// Both lists name every member of the server's unions: adding one there breaks the build here.
type Complete<T extends true> = T;
type Covers<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : false;
export type CohortFieldsComplete = Complete<Covers<CohortField, (typeof COHORT_FIELDS)[number]>>;
export type TrendSeriesComplete = Complete<Covers<UsageSeries | 'score', TrendSeries>>;

export interface TrendsQuery {
  series: TrendSeries;
  by: CohortField;
}

/** Every cohort's series, always decomposed: the page shows raw and adjusted from one reply. */
export function getTrends(query: TrendsQuery, signal?: AbortSignal): Promise<TrendsResult> {
  return getJson<TrendsResult>('/api/trends', {
    query: { series: query.series, by: query.by, adjust: true },
    ...(signal ? { signal } : {}),
  });
}

export function isCohortField(value: string | null): value is CohortField {
  return (COHORT_FIELDS as readonly (string | null)[]).includes(value);
}

export function isTrendSeries(value: string | null): value is TrendSeries {
  return (TREND_SERIES as readonly (string | null)[]).includes(value);
}
