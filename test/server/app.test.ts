import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../../data/contract.ts';
import type { DataReport } from '../../data/report.ts';
import { buildTestApp, tempDir } from '../helpers/app.ts';
import { GOOD_ROWS, GOOD_TODAY, goodDataset } from '../helpers/parquet.ts';

const clock = () => new Date(`${GOOD_TODAY}T12:00:00Z`);

describe('server on good data', () => {
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const data = await tempDir();
    cleanup = data.cleanup;
    await goodDataset(data.dir);
    app = await buildTestApp(data.dir, {}, { clock });
  });
  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  it('answers /healthz with the data state', async () => {
    const reply = await app.inject({ method: 'GET', url: '/healthz' });
    expect(reply.statusCode).toBe(200);
    const body = reply.json();
    expect(body).toMatchObject({ status: 'ok', data: { ok: true, errors: 0, warnings: 0 } });
    expect(body.uptimeSeconds).toBeGreaterThan(0);
  });

  it('reports every contract table with its row count on /api/data/status', async () => {
    const reply = await app.inject({ method: 'GET', url: '/api/data/status' });
    expect(reply.statusCode).toBe(200);
    const report = reply.json<DataReport>();
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.tables.map((table) => table.name)).toEqual([...TABLE_NAMES]);
    for (const table of report.tables) {
      expect(table.present, table.name).toBe(true);
      expect(table.rows, table.name).toBe(GOOD_ROWS[table.name as keyof typeof GOOD_ROWS]);
    }
  });

  it('creates one queryable view per table', async () => {
    const count = await app.duckdb.withConnection(async (connection) => {
      const reader = await connection.runAndReadAll(
        'SELECT count(*)::INTEGER AS n FROM usage_daily',
      );
      return reader.getRowObjectsJS()[0]?.n;
    });
    expect(count).toBe(GOOD_ROWS.usage_daily);
  });

  it('answers unknown /api paths with a JSON 404', async () => {
    const reply = await app.inject({ method: 'GET', url: '/api/nothing/here?x=1' });
    expect(reply.statusCode).toBe(404);
    expect(reply.headers['content-type']).toMatch(/application\/json/);
    expect(reply.json()).toEqual({
      error: 'not_found',
      message: 'no route for GET /api/nothing/here',
      details: null,
    });
  });
});

describe('server on defective data', () => {
  it('keeps serving and reports the defect on /api/data/status and /healthz', async () => {
    const data = await tempDir();
    try {
      await goodDataset(data.dir, { omit: ['outcomes'] });
      await writeFile(path.join(data.dir, 'support_tickets.parquet'), 'this is not parquet');
      const app = await buildTestApp(data.dir, {}, { clock });
      try {
        const status = (
          await app.inject({ method: 'GET', url: '/api/data/status' })
        ).json<DataReport>();
        expect(status.ok).toBe(false);
        const codes = status.problems.map((p) => `${p.code}:${p.table}`).sort();
        expect(codes).toEqual(['missing_table:outcomes', 'unreadable_file:support_tickets']);
        const unreadable = status.problems.find((p) => p.code === 'unreadable_file');
        expect(unreadable?.file).toBe('support_tickets.parquet');
        const health = (await app.inject({ method: 'GET', url: '/healthz' })).json();
        expect(health.data).toEqual({ ok: false, errors: 2, warnings: 0 });
      } finally {
        await app.close();
      }
    } finally {
      await data.cleanup();
    }
  });

  it('starts on an empty data folder and says the required tables are missing', async () => {
    const data = await tempDir();
    await rm(data.dir, { recursive: true });
    const app = await buildTestApp(data.dir, {}, { clock });
    try {
      const status = (
        await app.inject({ method: 'GET', url: '/api/data/status' })
      ).json<DataReport>();
      expect(status.problems.filter((p) => p.code === 'missing_table').map((p) => p.table)).toEqual(
        ['accounts', 'outcomes'],
      );
    } finally {
      await app.close();
    }
  });
});
