/**
 * Where a click on a cohort leads: the accounts list filtered to that cohort. Segment, plan,
 * region, industry and owner are filters of the accounts list. A start quarter is not: the list
 * has no start date, and a search for "2024-Q1" would match names and ids, not start dates and
 * show the wrong accounts, so start-quarter cohorts do not link anywhere.
 */
import type { CohortField } from '../../api/trends.ts';
import { hrefWithQuery } from '../../router/paths.ts';

const ACCOUNT_FILTER: Record<
  CohortField,
  'segment' | 'plan' | 'region' | 'industry' | 'owner' | null
> = {
  segment: 'segment',
  plan: 'plan',
  region: 'region',
  industry: 'industry',
  owner: 'owner',
  start_quarter: null,
};

/** True when cohorts of `by` can be opened in the accounts list. */
export function canDrill(by: CohortField): boolean {
  return ACCOUNT_FILTER[by] !== null;
}

/** The accounts list filtered to `cohort`, or null when the list cannot show it. */
export function cohortAccountsHref(by: CohortField, cohort: string): string | null {
  const filter = ACCOUNT_FILTER[by];
  return filter === null ? null : hrefWithQuery('/accounts', { [filter]: cohort });
}
