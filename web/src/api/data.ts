import type { DataReport } from '../../../data/report.ts';
import { getJson } from './client.ts';

export type { DataReport, Problem, TableStatus } from '../../../data/report.ts';

/** The latest check of DATA_DIR against the data contract. */
export function getDataStatus(signal?: AbortSignal): Promise<DataReport> {
  return getJson<DataReport>('/api/data/status', signal ? { signal } : {});
}
