import type { AccountDetail as LabAccountDetail } from '../../../lab/history/index.ts';
import type { Model } from '../../../lab/model/spec.ts';
import { getJson } from './client.ts';

/**
 * One account's whole story (`GET /api/accounts/:id`) and the production model whose bands its
 * scores are read against (`GET /api/models/production`). The shapes are the server's own, from
 * its zod schemas; the names below are the parts the account page passes around.
 */

/** The account detail reply: the production model and date, then the account's story. */
export type AccountDetail = LabAccountDetail & {
  model: { hash: string; name: string };
  asOf: string;
};

export type AccountProfile = AccountDetail['profile'];
/** The newest score with its components and metric contributions (which sum to the score). */
export type LatestScore = NonNullable<AccountDetail['latest']>;
export type ComponentScore = LatestScore['components'][number];
export type MetricContribution = LatestScore['metrics'][number];
export type HistoryPoint = AccountDetail['history'][number];
export type Ticket = AccountDetail['tickets'][number];
export type Invoice = AccountDetail['invoices'][number];
export type Survey = AccountDetail['surveys'][number];
export type Outcome = AccountDetail['outcomes'][number];
export type Milestone = AccountDetail['milestones'][number];
/**
 * A metric's raw value for this account against the same metric over the account's segment;
 * the percentiles are null when no account of the segment has a value.
 */
export type MetricDistribution = AccountDetail['distributions'][number];

/** One account by id; a 404 `ApiError` when there is no such account. */
export function getAccount(id: string, signal?: AbortSignal): Promise<AccountDetail> {
  return getJson<AccountDetail>(
    `/api/accounts/${encodeURIComponent(id)}`,
    signal ? { signal } : {},
  );
}

export interface ProductionModel {
  hash: string;
  name: string;
  model: Model;
  createdAt: string;
  createdBy: string;
  promotedAt: string;
  promotedBy: string;
  reason: string;
}

/** The production model, with its band thresholds. */
export function getProductionModel(signal?: AbortSignal): Promise<ProductionModel> {
  return getJson<ProductionModel>('/api/models/production', signal ? { signal } : {});
}
