/**
 * The Accounts page's view of the rows, as pure functions: the filters and sort read from and
 * written to the URL query, filtering and sorting the loaded rows (client-side, so every change is
 * instant), and the CSV of what is shown. Filters mean what the server's own filters mean
 * (GET /api/accounts), so a view reads the same whichever side applies it.
 */
import type { AccountRow } from '../../api/accounts.ts';
import type { QueryPatch } from '../../router/paths.ts';
import type { ReadonlyQuery } from '../../router/router.svelte.ts';
import { BANDS, type Band } from '../../charts/bands.ts';
import { toCsv } from '../../lib/csv.ts';

export const SORT_KEYS = [
  'name',
  'account_id',
  'band',
  'score',
  'score_change_30d',
  'arr',
  'renewal_date',
  'segment',
  'plan',
  'region',
  'industry',
  'owner',
] as const satisfies readonly (keyof AccountRow)[];
export type SortKey = (typeof SORT_KEYS)[number];
export type SortOrder = 'asc' | 'desc';

/** The text filters: a row matches when its value is one of the chosen ones (any, when none). */
export const LIST_FILTERS = ['segment', 'plan', 'region', 'industry', 'owner'] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];

export interface AccountFilters {
  /** Part of the name or the account id, any case. */
  q: string;
  band: Band[];
  segment: string[];
  plan: string[];
  region: string[];
  industry: string[];
  owner: string[];
  scoreMin: number | null;
  scoreMax: number | null;
  /** Renewal on or after the scored date and at most this many days after it. */
  renewalWithinDays: number | null;
  sort: SortKey;
  order: SortOrder;
}

/** Riskiest first: the view someone opening the list most often wants. */
export const DEFAULT_SORT: SortKey = 'score';
export const DEFAULT_ORDER: SortOrder = 'asc';

export const NO_FILTERS: AccountFilters = {
  q: '',
  band: [],
  segment: [],
  plan: [],
  region: [],
  industry: [],
  owner: [],
  scoreMin: null,
  scoreMax: null,
  renewalWithinDays: null,
  sort: DEFAULT_SORT,
  order: DEFAULT_ORDER,
};

function isSortKey(value: string | null): value is SortKey {
  return (SORT_KEYS as readonly (string | null)[]).includes(value);
}

function isBand(value: string): value is Band {
  return (BANDS as readonly string[]).includes(value);
}

/** A number in [min, max] from the query, or null when absent or not one. */
function numberParam(value: string | null, min: number, max: number): number | null {
  if (value === null || value.trim() === '') return null;
  const number = Number(value);
  return Number.isFinite(number) && number >= min && number <= max ? number : null;
}

/**
 * The filters in a URL query. Lists repeat their key (`segment=SMB&segment=Enterprise`); values
 * are not split on commas, since a region or an owner may contain one. Bands may also come as a
 * comma list, as the API takes them. Anything unreadable is left out rather than failing.
 */
export function parseFilters(query: Pick<ReadonlyQuery, 'get' | 'getAll'>): AccountFilters {
  const list = (key: ListFilter) => [...new Set(query.getAll(key).filter((v) => v !== ''))];
  const bands = query
    .getAll('band')
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(isBand);
  const sort = query.get('sort');
  const renewal = numberParam(query.get('renewalWithinDays'), 0, 3650);
  return {
    q: query.get('q') ?? '',
    band: BANDS.filter((band) => bands.includes(band)),
    segment: list('segment'),
    plan: list('plan'),
    region: list('region'),
    industry: list('industry'),
    owner: list('owner'),
    scoreMin: numberParam(query.get('scoreMin'), 0, 100),
    scoreMax: numberParam(query.get('scoreMax'), 0, 100),
    renewalWithinDays: renewal === null ? null : Math.floor(renewal),
    sort: isSortKey(sort) ? sort : DEFAULT_SORT,
    order:
      query.get('order') === 'desc' ? 'desc' : query.get('order') === 'asc' ? 'asc' : DEFAULT_ORDER,
  };
}

/**
 * The query patch that writes `filters` to the URL: every key the page owns, with defaults and
 * empty values as null so that they leave the URL instead of cluttering it.
 */
export function filtersToQuery(filters: AccountFilters): QueryPatch {
  return {
    q: filters.q === '' ? null : filters.q,
    band: filters.band,
    segment: filters.segment,
    plan: filters.plan,
    region: filters.region,
    industry: filters.industry,
    owner: filters.owner,
    scoreMin: filters.scoreMin,
    scoreMax: filters.scoreMax,
    renewalWithinDays: filters.renewalWithinDays,
    sort: filters.sort === DEFAULT_SORT ? null : filters.sort,
    order: filters.order === DEFAULT_ORDER ? null : filters.order,
  };
}

/** True when any filter (not the sort) narrows the rows. */
export function isFiltered(filters: AccountFilters): boolean {
  return (
    filters.q.trim() !== '' ||
    filters.band.length > 0 ||
    LIST_FILTERS.some((key) => filters[key].length > 0) ||
    filters.scoreMin !== null ||
    filters.scoreMax !== null ||
    filters.renewalWithinDays !== null
  );
}

/** `filters` without any filter, keeping the sort. */
export function clearFilters(filters: AccountFilters): AccountFilters {
  return { ...NO_FILTERS, sort: filters.sort, order: filters.order };
}

/** The calendar day `days` after `isoDay` (YYYY-MM-DD), in UTC like the server's DATE math. */
export function addDays(isoDay: string, days: number): string {
  const time = Date.parse(`${isoDay}T00:00:00Z`);
  if (Number.isNaN(time)) return isoDay;
  return new Date(time + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The rows that pass every filter, in their given order. `asOf` is the scored date the renewal
 * window starts from. As in SQL, a row without a score fails any score bound.
 */
export function filterAccounts(
  rows: readonly AccountRow[],
  filters: AccountFilters,
  asOf: string,
): AccountRow[] {
  const needle = filters.q.trim().toLowerCase();
  const bands = new Set<string>(filters.band);
  const lists = LIST_FILTERS.filter((key) => filters[key].length > 0).map(
    (key) => [key, new Set(filters[key])] as const,
  );
  const { scoreMin, scoreMax, renewalWithinDays } = filters;
  const renewalEnd = renewalWithinDays === null ? null : addDays(asOf, renewalWithinDays);
  return rows.filter((row) => {
    if (
      needle !== '' &&
      !row.name.toLowerCase().includes(needle) &&
      !row.account_id.toLowerCase().includes(needle)
    ) {
      return false;
    }
    if (bands.size > 0 && (row.band === null || !bands.has(row.band))) return false;
    for (const [key, values] of lists) if (!values.has(row[key])) return false;
    if (scoreMin !== null && (row.score === null || row.score < scoreMin)) return false;
    if (scoreMax !== null && (row.score === null || row.score > scoreMax)) return false;
    if (renewalEnd !== null && (row.renewal_date < asOf || row.renewal_date > renewalEnd)) {
      return false;
    }
    return true;
  });
}

const BAND_RANK: Record<string, number> = Object.fromEntries(BANDS.map((band, i) => [band, i]));

/** The value a row sorts by: a number, a lower-cased text, or null (always last). */
function sortValue(row: AccountRow, key: SortKey): number | string | null {
  switch (key) {
    case 'band':
      return row.band === null ? null : (BAND_RANK[row.band] ?? BANDS.length);
    case 'score':
    case 'score_change_30d':
    case 'arr':
    case 'renewal_date': // YYYY-MM-DD sorts as text
    case 'account_id':
      return row[key];
    default:
      return row[key].toLowerCase();
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The rows sorted by `key`, as the server sorts them: bands in the order red, yellow, green;
 * text by its lower-case code points (the same on every machine); missing values last in either
 * order; ties by account id, ascending, so the order never depends on the input order.
 */
export function sortAccounts(
  rows: readonly AccountRow[],
  key: SortKey,
  order: SortOrder,
): AccountRow[] {
  const direction = order === 'desc' ? -1 : 1;
  // Keys once per row, not once per comparison: this sorts 50,000 rows in tens of milliseconds.
  const keyed = rows.map((row) => ({ row, value: sortValue(row, key) }));
  keyed.sort((a, b) => {
    if (a.value !== b.value) {
      if (a.value === null) return 1;
      if (b.value === null) return -1;
      if (a.value < b.value) return -direction;
      if (a.value > b.value) return direction;
    }
    return compareIds(a.row.account_id, b.row.account_id);
  });
  return keyed.map((entry) => entry.row);
}

/** The next sort after a click on the header of `key`: flip the order, or start ascending. */
export function nextSort(
  current: Pick<AccountFilters, 'sort' | 'order'>,
  key: SortKey,
): Pick<AccountFilters, 'sort' | 'order'> {
  if (current.sort === key) return { sort: key, order: current.order === 'asc' ? 'desc' : 'asc' };
  return { sort: key, order: 'asc' };
}

/** The distinct values of a text column, sorted, for a filter's choices. */
export function distinctValues(rows: readonly AccountRow[], key: ListFilter): string[] {
  const values = new Set<string>();
  for (const row of rows) values.add(row[key]);
  return [...values].sort((a, b) => a.localeCompare(b));
}

/** The columns of the CSV, in the table's order, named as in the API. */
export const CSV_COLUMNS = [
  'account_id',
  'name',
  'band',
  'score',
  'score_change_30d',
  'arr',
  'renewal_date',
  'segment',
  'plan',
  'region',
  'industry',
  'owner',
] as const satisfies readonly (keyof AccountRow)[];

/** The rows as CSV, in their order, with raw values (no rounding, no formatting). */
export function accountsCsv(rows: readonly AccountRow[]): string {
  return toCsv(
    CSV_COLUMNS,
    rows.map((row) => CSV_COLUMNS.map((column) => row[column])),
  );
}
