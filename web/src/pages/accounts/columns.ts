/** The columns of the accounts table: header, sort key, alignment and how a value reads. */
import type { AccountRow } from '../../api/accounts.ts';
import { formatCount } from '../../lib/format.ts';
import type { SortKey } from './state.ts';

export interface AccountColumn {
  key: SortKey;
  label: string;
  numeric: boolean;
}

export const TABLE_COLUMNS: readonly AccountColumn[] = [
  { key: 'name', label: 'Account', numeric: false },
  { key: 'account_id', label: 'ID', numeric: false },
  { key: 'band', label: 'Band', numeric: false },
  { key: 'score', label: 'Score', numeric: true },
  { key: 'score_change_30d', label: 'Change 30d', numeric: true },
  { key: 'arr', label: 'ARR', numeric: true },
  { key: 'renewal_date', label: 'Renewal', numeric: false },
  { key: 'segment', label: 'Segment', numeric: false },
  { key: 'plan', label: 'Plan', numeric: false },
  { key: 'region', label: 'Region', numeric: false },
  { key: 'industry', label: 'Industry', numeric: false },
  { key: 'owner', label: 'Owner', numeric: false },
];

const oneDecimal = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const signedOneDecimal = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
  signDisplay: 'exceptZero',
});

export function formatScore(score: number): string {
  return oneDecimal.format(score);
}

export function formatChange(change: number): string {
  return signedOneDecimal.format(change);
}

export function formatArr(arr: number): string {
  return formatCount(arr);
}

/** The link to one account's page. */
export function accountHref(row: Pick<AccountRow, 'account_id'>): string {
  return `/accounts/${encodeURIComponent(row.account_id)}`;
}
