import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, tempDir } from '../helpers/app.ts';
import { GOOD, GOOD_TODAY, goodDataset } from '../helpers/parquet.ts';

const clock = () => new Date(`${GOOD_TODAY}T12:00:00Z`);

interface ListReply {
  asOf: string;
  total: number;
  rows: {
    account_id: string;
    score: number | null;
    band: string | null;
    segment: string;
    name: string;
  }[];
}

async function count(app: FastifyInstance, sql: string): Promise<number> {
  return app.duckdb.withConnection(async (connection) => {
    const reader = await connection.runAndReadAll(`SELECT (${sql})::INTEGER AS n`);
    return reader.getRowObjectsJS()[0]?.n as number;
  });
}

describe('production scores and their API', () => {
  let app: FastifyInstance;
  let dataDir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const data = await tempDir();
    dataDir = data.dir;
    cleanup = data.cleanup;
    await goodDataset(data.dir);
    app = await buildTestApp(data.dir, {}, { clock });
    await app.ready();
    await app.scoring.idle();
  });
  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  it('registers the shipped balanced model as production on a fresh state', async () => {
    const reply = await app.inject({ method: 'GET', url: '/api/models/production' });
    expect(reply.statusCode).toBe(200);
    const body = reply.json();
    expect(body.name).toBe('balanced');
    expect(body.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(body.promotedBy).toBe('vitals');
    const weights = Object.fromEntries(
      (body.model.components as { key: string; weight: number }[]).map((c) => [c.key, c.weight]),
    );
    expect(weights).toEqual({
      usage: 30,
      support: 20,
      engagement: 15,
      financial: 20,
      relationship: 15,
    });
  });

  it('scores the latest data date and backfills weekly history on start', async () => {
    // The good data set's last dated row is its last usage day.
    const { body } = await app.inject({ method: 'GET', url: '/api/portfolio' });
    const portfolio = JSON.parse(body);
    expect(portfolio.asOf).toBe(GOOD.lastUsageDay);
    const dates: string[] = portfolio.series.map((point: { asOf: string }) => point.asOf);
    expect(dates.at(-1)).toBe(GOOD.lastUsageDay);
    // History starts 90 days after the first data day, or at the latest date on data this short.
    const firstDataDay = await app.duckdb.withConnection(async (connection) => {
      const reader = await connection.runAndReadAll(
        `SELECT strftime(min(d), '%Y-%m-%d') AS d FROM (SELECT min(date) d FROM usage_daily UNION ALL
         SELECT min(issued_on) FROM invoices UNION ALL SELECT min(CAST(opened_at AS DATE)) FROM support_tickets
         UNION ALL SELECT min(date) FROM engagement UNION ALL SELECT min(date) FROM surveys
         UNION ALL SELECT min(date) FROM signals UNION ALL SELECT min(event_date) FROM outcomes)`,
      );
      return reader.getRowObjectsJS()[0]?.d as string;
    });
    const warmedUp = new Date(Date.parse(`${firstDataDay}T00:00:00Z`) + 90 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    expect(dates[0]).toBe(warmedUp < GOOD.lastUsageDay ? warmedUp : GOOD.lastUsageDay);
    for (let i = 1; i < dates.length; i++) {
      const gap = (Date.parse(dates[i]!) - Date.parse(dates[i - 1]!)) / 86_400_000;
      expect(gap).toBe(7);
    }
    // Every account that started by then and had not churned is in the newest point.
    const active = await count(
      app,
      `SELECT count(*) FROM accounts a WHERE start_date <= DATE '${GOOD.lastUsageDay}'
       AND NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.account_id = a.account_id
         AND o.event = 'churned' AND o.event_date <= DATE '${GOOD.lastUsageDay}')`,
    );
    const last = portfolio.series.at(-1);
    expect(last.accounts).toBe(active);
    const bandSum =
      last.bands.red.accounts + last.bands.yellow.accounts + last.bands.green.accounts;
    expect(bandSum).toBe(active);
    const arr = await count(
      app,
      `SELECT sum(arr) FROM accounts a WHERE account_id IN (SELECT account_id FROM state.scores
        WHERE as_of = DATE '${GOOD.lastUsageDay}')`,
    );
    expect(last.arr).toBe(arr);
  });

  it('lists accounts sorted, filtered and paged, with totals that match the filter', async () => {
    const all = (
      await app.inject({ method: 'GET', url: '/api/accounts?pageSize=1000&sort=score&order=desc' })
    ).json<ListReply>();
    expect(all.rows).toHaveLength(all.total);
    const scores = all.rows.map((row) => row.score ?? -1);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const red = (
      await app.inject({ method: 'GET', url: '/api/accounts?band=red&pageSize=1000' })
    ).json<ListReply>();
    expect(red.total).toBe(all.rows.filter((row) => row.band === 'red').length);
    expect(red.rows.every((row) => row.band === 'red')).toBe(true);

    const smb = (
      await app.inject({ method: 'GET', url: '/api/accounts?segment=SMB&scoreMin=20&scoreMax=90' })
    ).json<ListReply>();
    const expected = all.rows.filter(
      (row) => row.segment === 'SMB' && row.score !== null && row.score >= 20 && row.score <= 90,
    );
    expect(smb.rows.map((row) => row.account_id).sort()).toEqual(
      expected.map((row) => row.account_id).sort(),
    );

    const search = (
      await app.inject({ method: 'GET', url: '/api/accounts?q=account%2012' })
    ).json<ListReply>();
    expect(search.rows.map((row) => row.name)).toEqual(['Account 12']);

    const page2 = (
      await app.inject({ method: 'GET', url: '/api/accounts?sort=name&pageSize=5&page=2' })
    ).json<ListReply>();
    const byName = (
      await app.inject({ method: 'GET', url: '/api/accounts?sort=name&pageSize=1000' })
    ).json<ListReply>();
    expect(page2.rows.map((row) => row.account_id)).toEqual(
      byName.rows.slice(5, 10).map((row) => row.account_id),
    );
  });

  it('answers the same rows as Arrow IPC when asked', async () => {
    const json = (
      await app.inject({ method: 'GET', url: '/api/accounts?sort=account_id&pageSize=1000' })
    ).json<ListReply>();
    const reply = await app.inject({
      method: 'GET',
      url: '/api/accounts?sort=account_id&pageSize=1000',
      headers: { accept: 'application/vnd.apache.arrow.stream' },
    });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    expect(Number(reply.headers['x-total-count'])).toBe(json.total);
    const table = tableFromIPC(reply.rawPayload);
    expect(table.numRows).toBe(json.rows.length);
    expect(table.getChild('account_id')?.toArray()).toEqual(json.rows.map((row) => row.account_id));
    expect([...(table.getChild('score')?.toArray() ?? [])]).toEqual(
      json.rows.map((row) => row.score),
    );
  });

  it('explains one account: contributions add up to the score, with history and activity', async () => {
    const reply = await app.inject({ method: 'GET', url: '/api/accounts/A002' });
    expect(reply.statusCode).toBe(200);
    const account = reply.json();
    expect(account.profile.account_id).toBe('A002');
    const sum = account.latest.metrics.reduce(
      (total: number, metric: { contribution: number | null }) =>
        total + (metric.contribution ?? 0),
      0,
    );
    expect(Math.abs(sum - account.latest.score)).toBeLessThan(1e-9);
    expect(account.history.at(-1).score).toBe(account.latest.score);
    expect(account.tickets).toHaveLength(GOOD.ticketsPerAccount);
    expect(account.outcomes).toHaveLength(1);
    expect(account.unavailable).toEqual([]);
  });

  it('validates input and answers errors as JSON without internals', async () => {
    for (const url of [
      '/api/accounts?sort=drop_table',
      '/api/accounts?band=purple',
      '/api/accounts?scoreMin=80&scoreMax=10',
      '/api/accounts?page=0',
      '/api/accounts?unknown=1',
      '/api/portfolio?from=2024-02-30',
    ]) {
      const reply = await app.inject({ method: 'GET', url });
      expect(reply.statusCode, url).toBe(400);
      const body = reply.json();
      expect(Object.keys(body).sort(), url).toEqual(['details', 'error', 'message']);
      expect(body.message, url).not.toMatch(/at .*\.ts:\d+|SELECT|DuckDB/);
    }
    const missing = await app.inject({ method: 'GET', url: '/api/accounts/NOPE' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('unknown_account');
  });

  it('stores one row per account, date and model, however often a date is scored', async () => {
    const before = await count(app, 'SELECT count(*) FROM state.scores');
    await app.scoring.scoreDates([GOOD.lastUsageDay], 'test');
    expect(await count(app, 'SELECT count(*) FROM state.scores')).toBe(before);
    const duplicates = await count(
      app,
      'SELECT count(*) FROM (SELECT as_of, model_hash, account_id FROM state.scores GROUP BY ALL HAVING count(*) > 1)',
    );
    expect(duplicates).toBe(0);
  });

  it('keeps serving the last good scores when a later export is bad', async () => {
    const before = (
      await app.inject({ method: 'GET', url: '/api/accounts?pageSize=1000' })
    ).json<ListReply>();
    await writeFile(path.join(dataDir, 'accounts.parquet'), 'truncated garbage');
    await app.scoring.refreshAndScore('test');
    expect(app.scoring.status.lastError).toMatch(/data check found \d+ error/);
    const after = await app.inject({ method: 'GET', url: '/api/accounts?pageSize=1000' });
    expect(after.statusCode).toBe(200);
    expect(after.json<ListReply>().rows).toEqual(before.rows);
    const status = (await app.inject({ method: 'GET', url: '/api/data/status' })).json();
    expect(
      status.problems.some(
        (p: { code: string; table: string }) =>
          p.code === 'unreadable_file' && p.table === 'accounts',
      ),
    ).toBe(true);
  });
});
