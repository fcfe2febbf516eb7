/**
 * Health and churn by cohort (GET /api/cohorts): one row of figures per cohort, and one per cohort
 * and calendar month for the heatmaps and lines. Figures are null where the data cannot give them
 * (a cohort without scores, or data without the outcomes table).
 */
import { getJson } from './client.ts';
import type { CohortField } from './trends.ts';

export interface CohortFigures {
  cohort: string;
  /** Accounts of the cohort scored at `asOf`. */
  accounts: number;
  arr: number;
  averageScore: number | null;
  /** Red accounts over scored accounts, 0-1. */
  shareRed: number | null;
  /** Accounts that churned in the 12 months up to `asOf` over those active a year before, 0-1. */
  churnRate12m: number | null;
}

export interface CohortMonth {
  cohort: string;
  /** YYYY-MM. */
  month: string;
  averageScore: number | null;
  accounts: number;
  churned: number | null;
  /** 0-1. */
  churnRate: number | null;
}

export interface CohortReply {
  model: { hash: string; name: string };
  asOf: string;
  by: CohortField;
  cohorts: CohortFigures[];
  months: CohortMonth[];
  /** Tables the churn figures need that the data lacks, when the server says so. */
  unavailable?: string[];
}

/** The months the page asks for: the churn rate in the table covers the same 12. */
export const COHORT_MONTHS = 12;

export function getCohorts(by: CohortField, signal?: AbortSignal): Promise<CohortReply> {
  return getJson<CohortReply>('/api/cohorts', {
    query: { by, months: COHORT_MONTHS },
    ...(signal ? { signal } : {}),
  });
}
