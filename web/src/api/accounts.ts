/**
 * Every scored account in one request, as an Arrow IPC stream (GET /api/accounts with
 * `Accept: application/vnd.apache.arrow.stream`): 50,000 rows cost a fraction of their JSON and
 * decode column by column. apache-arrow is imported on first use, so only the Accounts page pays
 * for it. Failures throw the client's ApiError or NetworkError, like every other request.
 */
import type { Table } from 'apache-arrow';
import type { AccountListRow } from '../../../lab/history/queries.ts';
import { ApiError, isAbort, NetworkError, type ApiErrorBody } from './client.ts';

export type AccountRow = AccountListRow;

export interface AccountList {
  rows: AccountRow[];
  /** Every scored account, which is more than `rows` only past MAX_ACCOUNTS. */
  total: number;
  /** The scored date the rows belong to (YYYY-MM-DD). */
  asOf: string;
  modelHash: string;
}

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

/** The server's page-size cap: more accounts than this are not listed in one request. */
export const MAX_ACCOUNTS = 100_000;

/** The columns of the list, as the server encodes them: Utf8 or Float64, nullable or not. */
const COLUMNS = {
  account_id: 'text',
  name: 'text',
  segment: 'text',
  plan: 'text',
  region: 'text',
  industry: 'text',
  owner: 'text',
  arr: 'number',
  renewal_date: 'text',
  score: 'number?',
  band: 'text?',
  score_change_30d: 'number?',
} as const satisfies Record<keyof AccountRow, 'text' | 'text?' | 'number' | 'number?'>;

/** The rows of an accounts Arrow table; throws when a column the list needs is missing. */
export function accountsFromTable(table: Pick<Table, 'numRows' | 'getChild'>): AccountRow[] {
  const names = Object.keys(COLUMNS) as (keyof AccountRow)[];
  // Whole columns at once: iterating a vector is far cheaper than get(i) per cell.
  const columns = names.map((name) => {
    const child = table.getChild(name);
    if (!child) throw new Error(`The accounts reply has no column "${name}".`);
    return Array.from(child as Iterable<unknown>, (value) => cell(value, COLUMNS[name]));
  });
  const rows = new Array<AccountRow>(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, string | number | null> = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = columns[c]![i] ?? null;
    rows[i] = row as unknown as AccountRow;
  }
  return rows;
}

function cell(
  value: unknown,
  kind: 'text' | 'text?' | 'number' | 'number?',
): string | number | null {
  if (value === null || value === undefined) {
    return kind === 'text' ? '' : kind === 'number' ? 0 : null;
  }
  return kind.startsWith('text') ? String(value) : Number(value);
}

/** Every account with its latest score, as of the production model's newest scored date. */
export async function getAllAccounts(signal?: AbortSignal): Promise<AccountList> {
  const path = '/api/accounts';
  const request = `GET ${path}`;
  let response: Response;
  try {
    response = await fetch(`${path}?pageSize=${MAX_ACCOUNTS}`, {
      headers: { accept: ARROW_STREAM },
      signal: signal ?? null,
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new NetworkError(request, { cause: error });
  }
  if (!response.ok) throw await replyError(response, request);
  if (!(response.headers.get('content-type') ?? '').includes(ARROW_STREAM)) {
    throw new ApiError(
      response.status,
      'not_arrow',
      'The server replied with something other than an Arrow stream.',
      request,
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const { tableFromIPC } = await import('apache-arrow');
  const rows = accountsFromTable(tableFromIPC(bytes));
  const total = Number(response.headers.get('x-total-count'));
  return {
    rows,
    total: Number.isFinite(total) && total > rows.length ? total : rows.length,
    asOf: response.headers.get('x-as-of') ?? '',
    modelHash: response.headers.get('x-model-hash') ?? '',
  };
}

/** An error reply as the ApiError requestJson would have thrown for it. */
async function replyError(response: Response, request: string): Promise<ApiError> {
  const body = parseErrorBody(await response.text());
  return new ApiError(
    response.status,
    body?.error ?? response.statusText,
    body?.message ?? (response.statusText || `HTTP ${response.status}`),
    request,
    body?.details,
  );
}

function parseErrorBody(text: string): ApiErrorBody | null {
  try {
    const value = JSON.parse(text) as Partial<ApiErrorBody> | null;
    return typeof value?.error === 'string' && typeof value.message === 'string'
      ? (value as ApiErrorBody)
      : null;
  } catch {
    return null;
  }
}
