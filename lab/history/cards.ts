import { open, type FileHandle } from 'node:fs/promises';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { TableName } from '../../data/contract.ts';
import { sqlString, withConnection } from '../../data/duckdb.ts';
import { ACCOUNT_ACTIVITY, activityRows, type AccountDetail } from './account.ts';

/**
 * Account cards: every account's page (profile, score history, latest explanation, activity),
 * written once per scoring run into one file, each card compressed on its own, with an index
 * kept in memory. Serving an account is then one positional read, not a dozen table scans: a
 * column store reads whole row groups even for one account's rows.
 */

/** One account's page without its segment's metric spreads (shared, added when served). */
export type AccountCard = Omit<AccountDetail, 'distributions'> & {
  /** The segment the latest score was computed in (whose spreads the page shows). */
  scoredSegment: string | null;
};

export interface AccountCards {
  file: string;
  /** Byte range of each account's card in `file`. */
  index: Map<string, { offset: number; length: number }>;
}

/** Rows of one source, in account order, read a chunk at a time. */
interface Cursor {
  /** The rows of account number `idx` (and moves past them). */
  take(idx: number): Promise<Record<string, unknown>[]>;
}

async function cursor(
  db: DuckDBInstance,
  sql: string,
  opened: (close: () => void) => void,
): Promise<Cursor> {
  const connection = await db.connect();
  opened(() => connection.closeSync());
  const result = await connection.stream(sql);
  const chunks = result.yieldRowObjectJs();
  let rows: Record<string, unknown>[] = [];
  let at = 0;
  let done = false;
  const peek = async () => {
    while (at >= rows.length && !done) {
      const next = await chunks.next();
      if (next.done) done = true;
      else {
        rows = next.value as Record<string, unknown>[];
        at = 0;
      }
    }
    return at < rows.length ? rows[at]! : null;
  };
  return {
    async take(idx) {
      const taken: Record<string, unknown>[] = [];
      for (let row = await peek(); row !== null && row.idx === idx; row = await peek()) {
        const { idx: _, ...rest } = row;
        taken.push(rest);
        at++;
      }
      return taken;
    },
  };
}

/** Bytes gathered before a write: large writes, bounded memory. */
const WRITE_BYTES = 4 * 2 ** 20;

/**
 * Writes the cards of every account in the account profiles, as scored by model `hash`, to
 * `file`. Activity lists come from `tables` (absent ones are listed as unavailable).
 */
export async function writeAccountCards(
  db: DuckDBInstance,
  options: { file: string; schema: string; hash: string; tables: readonly TableName[] },
): Promise<AccountCards> {
  const { schema, tables } = options;
  const hash = sqlString(options.hash);
  // Accounts are numbered in one order for every source, so the sources merge on a number.
  const numbered = `(SELECT account_id, (row_number() OVER (ORDER BY account_id) - 1)::INTEGER AS idx
                     FROM ${schema}.account_profiles)`;
  const last = `(SELECT account_id, max(as_of) AS as_of FROM ${schema}.scores
                 WHERE model_hash = ${hash} GROUP BY account_id)`;
  const sources: Record<string, string> = {
    profile: `SELECT n.idx, p.account_id, p.name, p.segment, p.plan, p.region, p.industry, p.owner, p.arr,
        strftime(p.start_date, '%Y-%m-%d') AS start_date, strftime(p.renewal_date, '%Y-%m-%d') AS renewal_date
      FROM ${schema}.account_profiles p JOIN ${numbered} n USING (account_id) ORDER BY n.idx`,
    history: `SELECT n.idx, strftime(s.as_of, '%Y-%m-%d') AS "asOf", s.score, s.band, s.reason, s.segment
      FROM ${schema}.scores s JOIN ${numbered} n USING (account_id)
      WHERE s.model_hash = ${hash} ORDER BY n.idx, s.as_of`,
    components: `SELECT n.idx, c.component, c.score, c.weight
      FROM ${schema}.score_components c JOIN ${last} l USING (account_id, as_of)
      JOIN ${numbered} n USING (account_id)
      WHERE c.model_hash = ${hash} ORDER BY n.idx, c.position`,
    metrics: `SELECT n.idx, c.component, c.metric, c.raw, c.normalized, c.weight, c.contribution, c.missing
      FROM ${schema}.score_contributions c JOIN ${last} l USING (account_id, as_of)
      JOIN ${numbered} n USING (account_id)
      WHERE c.model_hash = ${hash} ORDER BY n.idx, c.position`,
  };
  const present = ACCOUNT_ACTIVITY.filter((activity) => tables.includes(activity.table));
  for (const activity of present) {
    sources[activity.key] = `SELECT n.idx, a.* EXCLUDE (account_id, rank)
      FROM (${activityRows(activity)}) a JOIN ${numbered} n ON n.account_id = a.account_id
      ORDER BY n.idx, a.rank`;
  }
  const unavailable = ACCOUNT_ACTIVITY.filter((activity) => !tables.includes(activity.table)).map(
    (activity) => activity.table,
  );

  const closers: (() => void)[] = [];
  let output: FileHandle | null = null;
  try {
    const cursors = Object.fromEntries(
      await Promise.all(
        Object.entries(sources).map(
          async ([key, sql]) =>
            [key, await cursor(db, sql, (close) => closers.push(close))] as const,
        ),
      ),
    );
    const [{ n }] = (await withConnection(db, async (connection) =>
      (
        await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${numbered}`)
      ).getRowObjectsJS(),
    )) as [{ n: number }];
    output = await open(options.file, 'w');
    const index: AccountCards['index'] = new Map();
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let offset = 0;
    const flush = async () => {
      await output!.write(Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
    };
    for (let idx = 0; idx < n; idx++) {
      const [profile] = await cursors.profile!.take(idx);
      const history = await cursors.history!.take(idx);
      const latestRow = history.at(-1);
      // Components and metrics are those of the account's own latest date.
      const components = await cursors.components!.take(idx);
      const metrics = await cursors.metrics!.take(idx);
      const card: AccountCard = {
        profile: profile as AccountCard['profile'],
        latest: latestRow
          ? {
              asOf: latestRow.asOf as string,
              score: latestRow.score as number | null,
              band: latestRow.band as string | null,
              reason: latestRow.reason as string | null,
              components: components as never,
              metrics: metrics as never,
            }
          : null,
        history: history.map(({ asOf, score, band }) => ({ asOf, score, band })) as never,
        tickets: [],
        invoices: [],
        surveys: [],
        outcomes: [],
        milestones: [],
        unavailable,
        scoredSegment: (latestRow?.segment as string | null | undefined) ?? null,
      };
      for (const activity of present) {
        Object.assign(card, { [activity.key]: await cursors[activity.key]!.take(idx) });
      }
      const bytes = deflateRawSync(JSON.stringify(card), { level: 1 });
      index.set(card.profile.account_id, { offset, length: bytes.length });
      offset += bytes.length;
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= WRITE_BYTES) await flush();
    }
    await flush();
    return { file: options.file, index };
  } finally {
    await output?.close();
    for (const close of closers) close();
  }
}

/** One account's card; null when the account has none. */
export async function readAccountCard(
  cards: AccountCards,
  handle: FileHandle,
  accountId: string,
): Promise<AccountCard | null> {
  const entry = cards.index.get(accountId);
  if (!entry) return null;
  const buffer = Buffer.allocUnsafe(entry.length);
  const { bytesRead } = await handle.read(buffer, 0, entry.length, entry.offset);
  if (bytesRead !== entry.length) throw new Error(`account cards: short read in ${cards.file}`);
  return JSON.parse(inflateRawSync(buffer).toString('utf8')) as AccountCard;
}
