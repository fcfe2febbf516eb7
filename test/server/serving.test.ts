import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountDetail, listAccounts } from '../../lab/history/index.ts';
import { CARDS_DIR } from '../../server/plugins/serving.ts';
import { buildTestApp, getJson, scoredDemoApp } from '../helpers/app.ts';
import { demoFolder } from '../lab/validate/demo-data.ts';

const END = '2025-06-30';
const clock = () => new Date('2025-07-01T12:00:00Z');

/** The state folder of a test app (where the account cards are written). */
const stateDir = (app: FastifyInstance) => path.dirname(app.state.file);

describe('replies kept per generation', () => {
  let folder: Awaited<ReturnType<typeof demoFolder>>;
  let app: FastifyInstance;

  beforeAll(async () => {
    folder = await demoFolder({ accounts: 120, days: 400, seed: 21, endDate: END });
    app = await buildTestApp(folder.dir, { SCORE_ON_START: 'false' }, { clock });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await folder.cleanup();
  });

  it('computes a reply once, shares it between concurrent callers, and forgets failures', async () => {
    let runs = 0;
    const compute = async () => ++runs;
    const [a, b] = await Promise.all([
      app.serving.remember('k', compute),
      app.serving.remember('k', compute),
    ]);
    expect([a, b, runs]).toEqual([1, 1, 1]);
    expect(await app.serving.remember('k', compute)).toBe(1);

    app.serving.invalidate('test');
    expect(await app.serving.remember('k', compute)).toBe(2);
    await app.data.refresh();
    expect(await app.serving.remember('k', compute)).toBe(3);

    let attempts = 0;
    const failing = async () => {
      attempts++;
      throw new Error('no');
    };
    await expect(app.serving.remember('f', failing)).rejects.toThrow('no');
    await expect(app.serving.remember('f', failing)).rejects.toThrow('no');
    expect(attempts).toBe(2);
  });

  it('runs at most two dashboard queries at once', async () => {
    let running = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        app.serving.query(async (connection) => {
          most = Math.max(most, ++running);
          const reader = await connection.runAndReadAll(
            'SELECT count(*)::INTEGER AS n FROM range(2000000)',
          );
          running--;
          return i + (reader.getRowObjectsJS()[0]!.n as number);
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5].map((i) => i + 2_000_000));
    expect(most).toBe(2);
  });

  it('serves the newest scores as soon as a scoring run stores them', async () => {
    const unscored = await app.inject({ method: 'GET', url: '/api/overview' });
    expect(unscored.statusCode).toBe(503);

    await app.scoring.scoreDates(['2025-05-31'], 'test');
    expect((await getJson(app, '/api/overview')).asOf).toBe('2025-05-31');
    const first = await getJson(app, '/api/accounts?pageSize=1000');
    expect(first.asOf).toBe('2025-05-31');
    const ids = new Set(first.rows.map((row: { account_id: string }) => row.account_id));
    const detailOf = (id: string) => getJson(app, `/api/accounts/${encodeURIComponent(id)}`);
    for (const id of [...ids].slice(0, 3)) {
      expect((await detailOf(id as string)).latest.asOf).toBe('2025-05-31');
    }

    await app.scoring.scoreDates([END], 'test');
    expect((await getJson(app, '/api/overview')).asOf).toBe(END);
    const second = await getJson(app, '/api/accounts?pageSize=1000');
    expect(second.asOf).toBe(END);
    // Accounts scored on both dates (some churned in between, some are new).
    const both: string[] = second.rows
      .map((row: { account_id: string }) => row.account_id)
      .filter((id: string) => ids.has(id));
    expect(both.length).toBeGreaterThan(50);
    for (const id of both.slice(0, 3)) {
      const detail = await detailOf(id);
      expect(detail.latest.asOf).toBe(END);
      expect(detail.history.map((point: { asOf: string }) => point.asOf)).toEqual([
        '2025-05-31',
        END,
      ]);
    }
  });

  it('keeps the card files of the last few generations only', async () => {
    for (let i = 0; i < 5; i++) {
      app.serving.invalidate('test');
      await app.serving.cardsReady();
    }
    const files = await readdir(path.join(stateDir(app), CARDS_DIR));
    expect(files).toHaveLength(3);
    expect(files.some((name) => name.startsWith(`g${app.serving.generation}-`))).toBe(true);
  });
});

describe('account pages and details from kept lists and account cards', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    ({ app } = await scoredDemoApp(
      { accounts: 150, days: 400, seed: 22, endDate: END },
      { clock },
    ));
  });
  afterAll(() => app.close());

  it('pages a kept list exactly as the database pages it', async () => {
    const { asOf, model } = await getJson(app, '/api/overview');
    for (const sort of ['score', 'arr', 'name'] as const) {
      for (const [page, pageSize] of [
        [1, 40],
        [2, 40],
        [4, 40],
        [9, 40],
      ] as const) {
        const reply = await getJson(
          app,
          `/api/accounts?sort=${sort}&order=desc&band=red,yellow&page=${page}&pageSize=${pageSize}`,
        );
        const direct = await app.duckdb.withConnection((connection) =>
          listAccounts(connection, app.state.schema, model.hash, asOf, {
            band: ['red', 'yellow'],
            sort,
            order: 'desc',
            offset: (page - 1) * pageSize,
            limit: pageSize,
          }),
        );
        expect(reply.total).toBe(direct.total);
        expect(reply.rows.map((row: { account_id: string }) => row.account_id)).toEqual(
          direct.columns.account_id ?? [],
        );
        expect(reply.rows.map((row: { score: number }) => row.score)).toEqual(
          direct.columns.score ?? [],
        );
      }
    }
  });

  it('shows every account exactly as straight reads of the data and the state show it', async () => {
    await app.serving.cardsReady();
    const list = await getJson(app, '/api/accounts?pageSize=1000&sort=account_id');
    const ids: string[] = list.rows.map((row: { account_id: string }) => row.account_id);
    expect(ids.length).toBeGreaterThan(100);
    // Every tenth account, so that each of the copies' row groups and segments is read.
    for (const id of ids.filter((_, i) => i % 10 === 0)) {
      const { model, asOf, ...served } = await getJson(
        app,
        `/api/accounts/${encodeURIComponent(id)}`,
      );
      expect(asOf).toBe(list.asOf);
      const direct = await app.duckdb.withConnection((connection) =>
        accountDetail(connection, id, {
          schema: app.state.schema,
          hash: model.hash,
          tables: app.data.tables,
        }),
      );
      expect(served).toEqual(JSON.parse(JSON.stringify(direct)));
    }
  });
});
