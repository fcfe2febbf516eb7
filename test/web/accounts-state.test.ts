// The Accounts page's state (web/src/pages/accounts/): filters and sort in the URL, filtering and
// sorting the loaded rows, the CSV of what is shown, the virtual window, and decoding the Arrow
// reply. Filtering is checked against an expectation computed independently, row by row.
import {
  Float64,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { accountsFromTable, getAllAccounts, type AccountRow } from '../../web/src/api/accounts.ts';
import { ApiError, NetworkError } from '../../web/src/api/client.ts';
import {
  accountsCsv,
  addDays,
  clearFilters,
  filterAccounts,
  filtersToQuery,
  isFiltered,
  NO_FILTERS,
  nextSort,
  parseFilters,
  SORT_KEYS,
  sortAccounts,
  type AccountFilters,
} from '../../web/src/pages/accounts/state.ts';
import { rowWindow } from '../../web/src/pages/accounts/virtual.ts';
import { applyQuery } from '../../web/src/router/paths.ts';

const AS_OF = '2026-11-23';

function account(partial: Partial<AccountRow> & { account_id: string }): AccountRow {
  return {
    name: `Account ${partial.account_id}`,
    segment: 'SMB',
    plan: 'Starter',
    region: 'NA',
    industry: 'Retail',
    owner: 'Robin Haddad',
    arr: 10_000,
    renewal_date: '2027-06-01',
    score: 50,
    band: 'yellow',
    score_change_30d: 0,
    ...partial,
  };
}

/** A small deterministic PRNG (mulberry32), so random cases repeat exactly. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEGMENTS = ['SMB', 'Mid-Market', 'Enterprise'];
const PLANS = ['Starter', 'Growth', 'Business'];
const REGIONS = ['NA', 'EMEA', 'APAC, Japan'];
const INDUSTRIES = ['Retail', 'Healthcare', 'Professional Services'];
const OWNERS = ['Robin Haddad', 'Quinn Alvarez', 'Reese Kowalski'];
const NAMES = ['Bluefield Foods', 'Amberloop Bank', 'Greenline', 'ACME labs', 'Zeta'];

function randomRows(count: number, seed: number): AccountRow[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const score = next() < 0.05 ? null : Math.round(next() * 1000) / 10;
    const day = Math.floor(next() * 500) - 60;
    return {
      account_id: `ACC-${String(count - i).padStart(5, '0')}`,
      name: `${pick(NAMES)} ${i % 7}`,
      segment: pick(SEGMENTS),
      plan: pick(PLANS),
      region: pick(REGIONS),
      industry: pick(INDUSTRIES),
      owner: pick(OWNERS),
      arr: Math.round(next() * 200_000),
      renewal_date: addDays(AS_OF, day),
      score,
      band: score === null ? null : score < 40 ? 'red' : score < 70 ? 'yellow' : 'green',
      score_change_30d: next() < 0.1 ? null : Math.round((next() - 0.5) * 200) / 10,
    };
  });
}

function query(search: string) {
  return new URLSearchParams(search);
}

describe('filters in the URL', () => {
  test('reads the filters and sort of a shared link', () => {
    const filters = parseFilters(
      query('band=red&segment=SMB&sort=arr&order=desc&q=acme&scoreMin=10&renewalWithinDays=90'),
    );
    expect(filters).toEqual({
      ...NO_FILTERS,
      q: 'acme',
      band: ['red'],
      segment: ['SMB'],
      scoreMin: 10,
      renewalWithinDays: 90,
      sort: 'arr',
      order: 'desc',
    });
  });

  test('an empty query is no filter, sorted by score ascending (riskiest first)', () => {
    expect(parseFilters(query(''))).toEqual(NO_FILTERS);
    expect(NO_FILTERS.sort).toBe('score');
    expect(NO_FILTERS.order).toBe('asc');
  });

  test('bands come repeated or as a comma list, in band order, unknown ones dropped', () => {
    expect(parseFilters(query('band=green,red&band=purple&band=yellow')).band).toEqual([
      'red',
      'yellow',
      'green',
    ]);
  });

  test('other lists repeat their key and keep commas inside a value', () => {
    const filters = parseFilters(query('region=APAC%2C+Japan&region=NA&owner=Smith%2C+J'));
    expect(filters.region).toEqual(['APAC, Japan', 'NA']);
    expect(filters.owner).toEqual(['Smith, J']);
  });

  test('values that cannot be read are left out', () => {
    const filters = parseFilters(
      query('scoreMin=abc&scoreMax=140&renewalWithinDays=-3&sort=password&order=sideways'),
    );
    expect(filters).toEqual(NO_FILTERS);
    expect(parseFilters(query('renewalWithinDays=30.7')).renewalWithinDays).toBe(30);
  });

  test('writing and reading the URL gives the same filters back', () => {
    const cases: AccountFilters[] = [
      NO_FILTERS,
      { ...NO_FILTERS, q: '  ACME & sons?=' },
      {
        q: 'blue',
        band: ['red', 'green'],
        segment: ['SMB', 'Mid-Market'],
        plan: ['Growth'],
        region: ['APAC, Japan'],
        industry: ['Professional Services'],
        owner: ['Quinn Alvarez'],
        scoreMin: 12.5,
        scoreMax: 80,
        renewalWithinDays: 0,
        sort: 'renewal_date',
        order: 'desc',
      },
      ...SORT_KEYS.map((sort) => ({ ...NO_FILTERS, sort, order: 'asc' as const })),
    ];
    for (const filters of cases) {
      const search = applyQuery('', filtersToQuery(filters)).toString();
      expect(parseFilters(query(search))).toEqual(filters);
    }
  });

  test('defaults stay out of the URL, and other keys of the query are kept', () => {
    expect(applyQuery('', filtersToQuery(NO_FILTERS)).toString()).toBe('');
    const next = applyQuery('tab=x&band=red&sort=arr', filtersToQuery({ ...NO_FILTERS, q: 'a' }));
    expect(next.toString()).toBe('tab=x&q=a');
  });

  test('clearing drops every filter but keeps the sort', () => {
    const filters = parseFilters(query('band=red&q=x&scoreMax=3&sort=arr&order=desc'));
    expect(isFiltered(filters)).toBe(true);
    const cleared = clearFilters(filters);
    expect(isFiltered(cleared)).toBe(false);
    expect(cleared).toEqual({ ...NO_FILTERS, sort: 'arr', order: 'desc' });
    // A blank search is no filter.
    expect(isFiltered({ ...NO_FILTERS, q: '   ' })).toBe(false);
  });
});

/** Whether `row` passes `filters`, written out rule by rule without the module's code. */
function expectedMatch(row: AccountRow, filters: AccountFilters): boolean {
  const q = filters.q.trim().toUpperCase();
  const textOk =
    q === '' ||
    row.name.toUpperCase().indexOf(q) >= 0 ||
    row.account_id.toUpperCase().indexOf(q) >= 0;
  const oneOf = (values: readonly string[], value: string | null) =>
    values.length === 0 || (value !== null && values.indexOf(value) >= 0);
  const scoreOk =
    (filters.scoreMin === null && filters.scoreMax === null) ||
    (row.score !== null &&
      (filters.scoreMin === null || row.score >= filters.scoreMin) &&
      (filters.scoreMax === null || row.score <= filters.scoreMax));
  let renewalOk = true;
  if (filters.renewalWithinDays !== null) {
    const days =
      (Date.UTC(
        +row.renewal_date.slice(0, 4),
        +row.renewal_date.slice(5, 7) - 1,
        +row.renewal_date.slice(8, 10),
      ) -
        Date.UTC(2026, 10, 23)) /
      86_400_000;
    renewalOk = days >= 0 && days <= filters.renewalWithinDays;
  }
  return (
    textOk &&
    oneOf(filters.band, row.band) &&
    oneOf(filters.segment, row.segment) &&
    oneOf(filters.plan, row.plan) &&
    oneOf(filters.region, row.region) &&
    oneOf(filters.industry, row.industry) &&
    oneOf(filters.owner, row.owner) &&
    scoreOk &&
    renewalOk
  );
}

describe('filterAccounts', () => {
  const rows = randomRows(3000, 7);

  test('keeps exactly the rows an independent check accepts, in their order', () => {
    const next = random(99);
    const some = <T>(list: readonly T[]): T[] => list.filter(() => next() < 0.4);
    let partial = 0;
    for (let i = 0; i < 200; i++) {
      const min = next() < 0.5 ? null : Math.round(next() * 60);
      const filters: AccountFilters = {
        ...NO_FILTERS,
        q: next() < 0.3 ? ['blue', 'ACC-001', 'acme', ' zeta 3 ', 'bank'][i % 5]! : '',
        band: some(['red', 'yellow', 'green'] as const),
        segment: some(SEGMENTS),
        plan: some(PLANS),
        region: some(REGIONS),
        industry: next() < 0.5 ? [] : some(INDUSTRIES),
        owner: next() < 0.5 ? [] : some(OWNERS),
        scoreMin: min,
        scoreMax: next() < 0.5 ? null : (min ?? 0) + Math.round(next() * 60),
        renewalWithinDays: next() < 0.5 ? null : Math.floor(next() * 400),
      };
      const expected = rows.filter((row) => expectedMatch(row, filters));
      expect(filterAccounts(rows, filters, AS_OF)).toEqual(expected);
      if (expected.length > 0 && expected.length < rows.length) partial += 1;
    }
    // The cases must keep some rows and drop others, or they would prove little.
    expect(partial).toBeGreaterThan(50);
  });

  test('no filter keeps every row', () => {
    expect(filterAccounts(rows, NO_FILTERS, AS_OF)).toEqual(rows);
  });

  test('the search matches the name or the id, in any case', () => {
    const sample = [
      account({ account_id: 'ACC-1', name: 'Acme Corp' }),
      account({ account_id: 'acme-2', name: 'Other' }),
      account({ account_id: 'ACC-3', name: 'Zeta' }),
    ];
    const ids = (q: string) =>
      filterAccounts(sample, { ...NO_FILTERS, q }, AS_OF).map((row) => row.account_id);
    expect(ids('ACME')).toEqual(['ACC-1', 'acme-2']);
    expect(ids('acc-3')).toEqual(['ACC-3']);
    expect(ids('nothing')).toEqual([]);
  });

  test('the renewal window runs from the scored date through N days after it', () => {
    const sample = ['2026-11-22', '2026-11-23', '2026-12-23', '2026-12-24'].map((day, i) =>
      account({ account_id: `A${i}`, renewal_date: day }),
    );
    const ids = filterAccounts(sample, { ...NO_FILTERS, renewalWithinDays: 30 }, AS_OF).map(
      (row) => row.renewal_date,
    );
    expect(ids).toEqual(['2026-11-23', '2026-12-23']);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });

  test('an account without a score fails any score bound and any band filter', () => {
    const sample = [
      account({ account_id: 'A', score: null, band: null }),
      account({ account_id: 'B', score: 0, band: 'red' }),
      account({ account_id: 'C', score: 100, band: 'green' }),
    ];
    const ids = (filters: Partial<AccountFilters>) =>
      filterAccounts(sample, { ...NO_FILTERS, ...filters }, AS_OF).map((row) => row.account_id);
    expect(ids({ scoreMin: 0 })).toEqual(['B', 'C']);
    expect(ids({ scoreMax: 100 })).toEqual(['B', 'C']);
    expect(ids({ scoreMin: 0, scoreMax: 0 })).toEqual(['B']);
    expect(ids({ band: ['red', 'yellow', 'green'] })).toEqual(['B', 'C']);
  });
});

describe('sortAccounts', () => {
  const rows = randomRows(2000, 3);

  function shuffled<T>(list: readonly T[], seed: number): T[] {
    const next = random(seed);
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }

  test('every key, both orders: the same result whatever the input order', () => {
    for (const key of SORT_KEYS) {
      for (const order of ['asc', 'desc'] as const) {
        const a = sortAccounts(rows, key, order).map((row) => row.account_id);
        const b = sortAccounts(shuffled(rows, 11), key, order).map((row) => row.account_id);
        expect(b).toEqual(a);
      }
    }
  });

  test('ties keep account id order, ascending even when the key is descending', () => {
    for (const order of ['asc', 'desc'] as const) {
      const sorted = sortAccounts(shuffled(rows, 5), 'segment', order);
      for (let i = 1; i < sorted.length; i++) {
        const [a, b] = [sorted[i - 1]!, sorted[i]!];
        const keys = [a.segment.toLowerCase(), b.segment.toLowerCase()];
        if (keys[0] === keys[1]) expect(a.account_id < b.account_id).toBe(true);
        else expect(keys[0]! < keys[1]!).toBe(order === 'asc');
      }
    }
  });

  test('missing values come last in either order', () => {
    for (const order of ['asc', 'desc'] as const) {
      const scores = sortAccounts(rows, 'score', order).map((row) => row.score);
      const firstNull = scores.indexOf(null);
      expect(firstNull).toBeGreaterThan(0);
      expect(scores.slice(firstNull).every((score) => score === null)).toBe(true);
      const known = scores.slice(0, firstNull) as number[];
      const expected = [...known].sort((a, b) => (order === 'asc' ? a - b : b - a));
      expect(known).toEqual(expected);
    }
  });

  test('bands sort red, yellow, green; text by lower case; numbers as numbers', () => {
    const sample = [
      account({ account_id: 'A', band: 'green', name: 'beta', arr: 9 }),
      account({ account_id: 'B', band: 'red', name: 'Alpha', arr: 100 }),
      account({ account_id: 'C', band: null, name: 'alpha', arr: 10 }),
      account({ account_id: 'D', band: 'yellow', name: 'Gamma', arr: 1000 }),
    ];
    const ids = (key: (typeof SORT_KEYS)[number], order: 'asc' | 'desc' = 'asc') =>
      sortAccounts(sample, key, order).map((row) => row.account_id);
    expect(ids('band')).toEqual(['B', 'D', 'A', 'C']);
    expect(ids('band', 'desc')).toEqual(['A', 'D', 'B', 'C']);
    expect(ids('name')).toEqual(['B', 'C', 'A', 'D']);
    expect(ids('arr')).toEqual(['A', 'C', 'B', 'D']);
    expect(ids('arr', 'desc')).toEqual(['D', 'B', 'C', 'A']);
  });

  test('returns a new array and leaves its input alone', () => {
    const before = rows.map((row) => row.account_id);
    const sorted = sortAccounts(rows, 'name', 'desc');
    expect(sorted).not.toBe(rows);
    expect(rows.map((row) => row.account_id)).toEqual(before);
  });

  test('a header click sorts ascending, a second click flips the order', () => {
    expect(nextSort({ sort: 'score', order: 'asc' }, 'arr')).toEqual({ sort: 'arr', order: 'asc' });
    expect(nextSort({ sort: 'arr', order: 'asc' }, 'arr')).toEqual({ sort: 'arr', order: 'desc' });
    expect(nextSort({ sort: 'arr', order: 'desc' }, 'arr')).toEqual({ sort: 'arr', order: 'asc' });
  });
});

describe('accountsCsv', () => {
  test('exactly the given rows, in their order, with raw values and neutralised text', () => {
    const csv = accountsCsv([
      account({ account_id: 'ACC-2', name: '=evil()', score: 12.25, score_change_30d: -3.5 }),
      account({ account_id: 'ACC-1', name: 'Smith, Jones', score: null, band: null }),
    ]);
    expect(csv.split('\r\n')).toEqual([
      'account_id,name,band,score,score_change_30d,arr,renewal_date,segment,plan,region,industry,owner',
      "ACC-2,'=evil(),yellow,12.25,-3.5,10000,2027-06-01,SMB,Starter,NA,Retail,Robin Haddad",
      'ACC-1,"Smith, Jones",,,0,10000,2027-06-01,SMB,Starter,NA,Retail,Robin Haddad',
      '',
    ]);
  });
});

describe('rowWindow', () => {
  const base = { rowHeight: 40, count: 50_000, overscan: 5 };

  test('at the top: the rows in view plus the overscan below', () => {
    expect(rowWindow({ ...base, scrollTop: 0, viewport: 400 })).toEqual({
      start: 0,
      end: 16,
      before: 0,
      after: (50_000 - 16) * 40,
    });
  });

  test('in the middle: overscan on both sides, spacers add up to the full height', () => {
    const view = rowWindow({ ...base, scrollTop: 40_000, viewport: 400 });
    expect(view.start).toBe(995);
    expect(view.end).toBe(1016);
    expect(view.before + (view.end - view.start) * 40 + view.after).toBe(50_000 * 40);
  });

  test('at the bottom and beyond: never past the last row', () => {
    const view = rowWindow({ ...base, scrollTop: 10_000_000, viewport: 400 });
    expect(view.end).toBe(50_000);
    expect(view.after).toBe(0);
    expect(view.start).toBe(50_000 - 1 - 5);
  });

  test('no rows, no window', () => {
    expect(rowWindow({ ...base, count: 0, scrollTop: 0, viewport: 400 })).toEqual({
      start: 0,
      end: 0,
      before: 0,
      after: 0,
    });
  });
});

/** The rows as the server sends them: an Arrow IPC stream, optionally without one column. */
function arrowBytes(rows: AccountRow[], drop?: string): Uint8Array {
  const text = (name: keyof AccountRow) =>
    vectorFromArray(
      rows.map((row) => row[name] as string | null),
      new Utf8(),
    );
  const number = (name: keyof AccountRow) =>
    vectorFromArray(
      rows.map((row) => row[name] as number | null),
      new Float64(),
    );
  const columns: Record<string, Vector> = {
    account_id: text('account_id'),
    name: text('name'),
    segment: text('segment'),
    plan: text('plan'),
    region: text('region'),
    industry: text('industry'),
    owner: text('owner'),
    arr: number('arr'),
    renewal_date: text('renewal_date'),
    score: number('score'),
    band: text('band'),
    score_change_30d: number('score_change_30d'),
  };
  if (drop) delete columns[drop];
  return tableToIPC(new Table(columns), 'stream');
}

describe('accountsFromTable', () => {
  const arrowTable = (rows: AccountRow[], drop?: string) => tableFromIPC(arrowBytes(rows, drop));

  test('decodes every row and keeps nulls as nulls', () => {
    const rows = randomRows(500, 21);
    expect(rows.some((row) => row.score === null)).toBe(true);
    expect(accountsFromTable(arrowTable(rows))).toEqual(rows);
  });

  test('a reply without a column the list needs is an error that names it', () => {
    expect(() => accountsFromTable(arrowTable(randomRows(3, 1), 'renewal_date'))).toThrow(
      'The accounts reply has no column "renewal_date".',
    );
  });
});

describe('getAllAccounts', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  test('asks for every account as Arrow and reads the scored date and total', async () => {
    const rows = randomRows(20, 4);
    const fetch = vi.fn(
      async () =>
        new Response(new Blob([arrowBytes(rows) as Uint8Array<ArrayBuffer>]), {
          status: 200,
          headers: {
            'content-type': 'application/vnd.apache.arrow.stream',
            'x-as-of': AS_OF,
            'x-model-hash': 'abc',
            'x-total-count': '25',
          },
        }),
    );
    vi.stubGlobal('fetch', fetch);
    const list = await getAllAccounts();
    expect(list).toEqual({ rows, total: 25, asOf: AS_OF, modelHash: 'abc' });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/accounts?pageSize=100000');
    expect(init.headers).toEqual({ accept: 'application/vnd.apache.arrow.stream' });
  });

  test("an error reply is an ApiError with the server's words; no server is a NetworkError", async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response('{"error":"no_scores","message":"no scores yet"}', {
            status: 503,
            statusText: 'Service Unavailable',
          }),
      ),
    );
    await expect(getAllAccounts()).rejects.toMatchObject({
      name: 'ApiError',
      status: 503,
      code: 'no_scores',
      message: 'no scores yet',
      request: 'GET /api/accounts',
    });
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('{"ok":true}', { status: 200 })),
    );
    await expect(getAllAccounts()).rejects.toBeInstanceOf(ApiError);
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    await expect(getAllAccounts()).rejects.toBeInstanceOf(NetworkError);
  });
});
