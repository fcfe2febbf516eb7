import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import fp from 'fastify-plugin';
import type { DuckDBConnection } from '@duckdb/node-api';
import { LRUCache } from 'lru-cache';
import pLimit from 'p-limit';
import { z } from 'zod';
import {
  readAccountCard,
  writeAccountCards,
  type AccountCard,
  type AccountCards,
} from '../../lab/history/index.ts';
import { productionContext, type ProductionContext } from '../production.ts';

/**
 * What the dashboards read changes only when a scoring run stores scores or DATA_DIR is read
 * again, and this process is the state database's only writer. So replies are computed once per
 * *generation* (a new one on every such change) and kept in memory; concurrent requests for the
 * same missing reply share one computation.
 */
export interface Serving {
  /** Changes whenever scores or data may have changed. */
  readonly generation: string;
  /** Forgets every kept reply and account card: scores changed. (Data checks are seen unasked.) */
  invalidate(reason: string): void;
  /** The production model and its newest scored date (503 while there are no scores). */
  context(): Promise<ProductionContext>;
  /**
   * `compute()`'s result for `key` in this generation, computed once; failures are not kept.
   * `large` results (whole account lists) have a shelf of their own, a few entries long.
   */
  remember<T>(key: string, compute: () => Promise<T>, size?: 'small' | 'large'): Promise<T>;
  /**
   * Like `remember`, for a whole JSON reply: checked against `schema` and serialised once, so a
   * kept reply costs neither on later requests. Send it with a JSON content type.
   */
  json<T>(key: string, schema: z.ZodType<T>, compute: () => Promise<T>): Promise<string>;
  /**
   * Runs a dashboard query on a connection of its own, at most a few at a time: each query
   * already uses every core, so more at once only add memory (ten cold trend queries at once
   * over 50,000 accounts held several GB). Never call it from inside another `query`.
   */
  query<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T>;
  /**
   * The account's card of this generation: `undefined` while the cards are being written (read
   * the account another way), `null` for an account without one (unknown).
   */
  card(accountId: string): Promise<AccountCard | null | undefined>;
  /** Resolves when this generation's cards are written (or failed to be). */
  cardsReady(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    serving: Serving;
  }
}

export interface ServingOptions {
  stateDir: string;
  /** Dashboard queries run at once (the rest wait their turn). */
  maxQueries?: number;
  /** Replies kept per generation (the least recently used go first). */
  maxReplies?: number;
  /** Large replies (a whole account list is about 10 MB at 50,000 accounts) kept. */
  maxLarge?: number;
}

/** Where account cards are written: derived data, rewritten after every start, safe to delete. */
export const CARDS_DIR = 'cards';

/** Card files kept: a request that began on an older generation may still be reading one. */
const KEEP_CARD_FILES = 3;

interface OpenCards {
  generation: string;
  name: string;
  cards: AccountCards;
  handle: FileHandle;
}

export default fp<ServingOptions>(
  async (app, { stateDir, maxQueries = 2, maxReplies = 500, maxLarge = 6 }) => {
    const queries = pLimit(maxQueries);
    const root = path.join(stateDir, CARDS_DIR);
    // Cards from an earlier process may be of other data or scores: never reuse them.
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });

    const shelves = {
      small: new LRUCache<string, Promise<unknown>>({ max: maxReplies }),
      large: new LRUCache<string, Promise<unknown>>({ max: maxLarge }),
    };
    let scoresVersion = 0;
    let shelvedFor = '';
    /** The current generation; kept replies of an older one are dropped on first sight. */
    const current = () => {
      const generation = `${scoresVersion}.${app.data.version}`;
      if (generation !== shelvedFor) {
        shelves.small.clear();
        shelves.large.clear();
        shelvedFor = generation;
      }
      return generation;
    };

    const remember = <T>(
      key: string,
      compute: () => Promise<T>,
      size: 'small' | 'large' = 'small',
    ): Promise<T> => {
      const replies = shelves[size];
      const full = `${current()}\u0000${key}`;
      const kept = replies.get(full);
      if (kept) return kept as Promise<T>;
      const pending = compute();
      replies.set(full, pending);
      pending.catch(() => {
        if (replies.peek(full) === pending) replies.delete(full);
      });
      return pending;
    };

    const context = () =>
      remember('context', () =>
        app.duckdb.withConnection((connection) => productionContext(app, connection)),
      );

    /** Written card files, oldest first, open for reading; and the names being written. */
    const written: OpenCards[] = [];
    const inProgress = new Set<string>();
    let writing: { generation: string; done: Promise<void> } | null = null;
    let closing = false;

    const write = async (generation: string) => {
      const { hash } = await context();
      const name = `g${generation}-${randomUUID().slice(0, 8)}.cards`;
      const file = path.join(root, name);
      const started = performance.now();
      inProgress.add(name);
      try {
        const cards = await writeAccountCards(app.duckdb.instance, {
          file,
          schema: app.state.schema,
          hash,
          tables: app.data.tables,
        });
        written.push({ generation, name, cards, handle: await open(file, 'r') });
        app.log.info(
          { generation, accounts: cards.index.size, seconds: (performance.now() - started) / 1000 },
          'account cards written',
        );
      } finally {
        inProgress.delete(name);
      }
      while (written.length > KEEP_CARD_FILES) await written.shift()!.handle.close();
      const keep = new Set([...written.map((entry) => entry.name), ...inProgress]);
      for (const entry of await readdir(root)) {
        if (!keep.has(entry)) {
          await rm(path.join(root, entry), { force: true });
        }
      }
    };

    /** This generation's cards are written, or being written (started here if not). */
    const ensureCards = () => {
      const generation = current();
      if (closing || writing?.generation === generation) return writing?.done;
      const done = write(generation).catch((error: unknown) => {
        app.log.warn(
          { generation, errorMessage: error instanceof Error ? error.message : String(error) },
          'account cards not written; accounts are read from the database',
        );
      });
      writing = { generation, done };
      return done;
    };

    const serving: Serving = {
      get generation() {
        return current();
      },
      invalidate(reason) {
        scoresVersion++;
        app.log.debug({ generation: current(), reason }, 'kept replies dropped');
      },
      context,
      remember,
      query: (fn) => queries(() => app.duckdb.withConnection(fn)),
      json: (key, schema, compute) =>
        remember(`json ${key}`, async () => JSON.stringify(z.encode(schema, await compute()))),
      async card(accountId) {
        const generation = current();
        const ready = written.findLast((entry) => entry.generation === generation);
        if (!ready) {
          void ensureCards();
          return undefined;
        }
        return readAccountCard(ready.cards, ready.handle, accountId);
      },
      async cardsReady() {
        await ensureCards();
      },
    };
    app.decorate('serving', serving);
    app.addHook('onClose', async () => {
      closing = true;
      await writing?.done;
      for (const entry of written.splice(0)) await entry.handle.close();
    });
  },
  { name: 'serving', dependencies: ['duckdb', 'data', 'state'] },
);
