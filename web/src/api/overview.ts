import type { OverviewReply } from '../../../lab/history/index.ts';
import { getJson } from './client.ts';

/**
 * The portfolio at a glance (`GET /api/overview`): bands now and about 30 days earlier, the score
 * distribution, the trend, ARR at risk and the biggest movers. The shape is the server's own,
 * from its zod schema; the names below are the parts the overview page passes around.
 */
export type Overview = OverviewReply;
export type BandBreakdown = Overview['bands']['now'];
/** Accounts whose score falls in [from, to), by band; 20 bins of 5 points. */
export type DistributionBin = Overview['distribution'][number];
export type PortfolioTrend = Overview['trend'];
export type Mover = Overview['movers']['drops'][number];

/** The overview as of `asOf` (YYYY-MM-DD), or as of the newest scores when it is null. */
export function getOverview(asOf: string | null, signal?: AbortSignal): Promise<Overview> {
  return getJson<Overview>('/api/overview', {
    query: { asOf },
    ...(signal ? { signal } : {}),
  });
}
