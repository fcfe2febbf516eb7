import { cp } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { accountDetailSchema, type AccountDetail } from '../../lab/history/index.ts';
import { buildTestApp, getJson, tempDir } from '../helpers/app.ts';
import { demoFolder } from '../lab/validate/demo-data.ts';

const END = '2025-06-30';
const clock = () => new Date('2025-07-01T12:00:00Z');

async function sqlRows<T>(app: FastifyInstance, sql: string): Promise<T[]> {
  return app.duckdb.withConnection(async (connection) => {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as T[];
  });
}

/** The p-quantile with linear interpolation between order statistics (R's type 7). */
function quantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const detailReply = accountDetailSchema.extend({
  model: z.object({ hash: z.string(), name: z.string() }),
  asOf: z.string(),
});

describe('GET /api/accounts/:id milestones and segment distributions', () => {
  let folder: Awaited<ReturnType<typeof demoFolder>>;
  let app: FastifyInstance;
  let withMilestones: string[];

  beforeAll(async () => {
    folder = await demoFolder({ accounts: 200, days: 400, seed: 8, endDate: END });
    app = await buildTestApp(folder.dir, {}, { clock });
    await app.ready();
    await app.scoring.idle();
    const rows = await sqlRows<{ account_id: string }>(
      app,
      `SELECT DISTINCT m.account_id FROM milestones m
       JOIN state.scores s ON s.account_id = m.account_id
       WHERE s.as_of = (SELECT max(as_of) FROM state.scores) ORDER BY m.account_id LIMIT 6`,
    );
    withMilestones = rows.map((row) => row.account_id);
  });
  afterAll(async () => {
    await app.close();
    await folder.cleanup();
  });

  it('lists the account milestones as the milestones file has them', async () => {
    expect(withMilestones.length).toBeGreaterThan(0);
    const file = path.join(folder.dir, 'milestones.parquet').replaceAll("'", "''");
    for (const id of withMilestones) {
      const detail: AccountDetail = detailReply.parse(await getJson(app, `/api/accounts/${id}`));
      const expected = await sqlRows<{ milestone: string; achieved_on: string }>(
        app,
        `SELECT milestone, strftime(CAST(achieved_on AS DATE), '%Y-%m-%d') AS achieved_on
         FROM read_parquet('${file}') WHERE account_id = '${id}'`,
      );
      expect(expected.length).toBeGreaterThan(0);
      const order = (a: { achieved_on: string; milestone: string }, b: typeof a) =>
        a.achieved_on.localeCompare(b.achieved_on) || a.milestone.localeCompare(b.milestone);
      expect(detail.milestones).toEqual(expected.sort(order));
      expect(detail.unavailable).toEqual([]);
    }
  });

  it("places each metric's raw value in its segment's distribution at the same date", async () => {
    for (const id of withMilestones) {
      const detail = detailReply.parse(await getJson(app, `/api/accounts/${id}`));
      const latest = detail.latest!;
      const peers = await sqlRows<{ component: string; metric: string; raw: number }>(
        app,
        `SELECT c.component, c.metric, c.raw FROM state.score_contributions c
         JOIN state.scores s USING (as_of, model_hash, account_id)
         WHERE c.as_of = DATE '${latest.asOf}' AND c.raw IS NOT NULL
           AND s.segment = (SELECT segment FROM state.scores
                            WHERE account_id = '${id}' AND as_of = DATE '${latest.asOf}')`,
      );
      expect(detail.distributions.map((d) => [d.component, d.metric])).toEqual(
        latest.metrics.map((m) => [m.component, m.metric]),
      );
      for (const [i, distribution] of detail.distributions.entries()) {
        const label = `${id} ${distribution.metric}`;
        expect(distribution.value, label).toBe(latest.metrics[i]!.raw);
        const values = peers
          .filter((p) => p.component === distribution.component && p.metric === distribution.metric)
          .map((p) => p.raw)
          .sort((a, b) => a - b);
        expect(distribution.accounts, label).toBe(values.length);
        expect(values.length, label).toBeGreaterThan(1);
        expect(distribution.p50, label).toBeCloseTo(median(values), 9);
        for (const [key, p] of [
          ['p10', 0.1],
          ['p25', 0.25],
          ['p75', 0.75],
          ['p90', 0.9],
        ] as const) {
          expect(distribution[key], `${label} ${key}`).toBeCloseTo(quantile(values, p), 9);
        }
      }
    }
  });

  it('says milestones are unavailable when the data has none', async () => {
    const copy = await tempDir('vitals-no-milestones-');
    await cp(folder.dir, copy.dir, {
      recursive: true,
      filter: (source) => path.basename(source) !== 'milestones.parquet',
    });
    const bare = await buildTestApp(copy.dir, {}, { clock });
    try {
      await bare.ready();
      await bare.scoring.idle();
      const detail = detailReply.parse(await getJson(bare, `/api/accounts/${withMilestones[0]}`));
      expect(detail.unavailable).toEqual(['milestones']);
      expect(detail.milestones).toEqual([]);
      expect(detail.distributions.length).toBeGreaterThan(0);
    } finally {
      await bare.close();
      await copy.cleanup();
    }
  });

  it('answers 404 for an unknown account', async () => {
    const reply = await getJson(app, '/api/accounts/NO-SUCH-ACCOUNT', 404);
    expect(reply).toEqual({
      error: 'unknown_account',
      message: 'no account has the id "NO-SUCH-ACCOUNT"',
      details: null,
    });
  });
});
