import { describe, expect, it } from 'vitest';
import { LabError } from '../../lab/errors.ts';
import { defaultModels } from '../../lab/model/defaults.ts';
import { scoreModel, scoreModelToTables, type ScoreRow } from '../../lab/model/score.ts';
import { baseRows, T, T2 } from './fixtures.ts';
import { runRows } from '../../lab/run.ts';
import { signalRows, withTables } from './helpers.ts';
import { entry, signalModel } from './models.ts';

const sum = (values: (number | null)[]) => values.reduce<number>((total, v) => total + (v ?? 0), 0);

function expectExplained(row: ScoreRow) {
  expect(row.score).not.toBeNull();
  expect(Math.abs(sum(row.metrics.map((m) => m.contribution)) - row.score!)).toBeLessThan(1e-9);
  expect(Math.abs(sum(row.metrics.map((m) => m.weight)) - 1)).toBeLessThan(1e-12);
  expect(Math.abs(sum(row.components.map((c) => c.weight)) - 1)).toBeLessThan(1e-12);
  const fromComponents = sum(row.components.map((c) => (c.weight ?? 0) * (c.score ?? 0)));
  expect(Math.abs(fromComponents - row.score!)).toBeLessThan(1e-9);
  for (const metric of row.metrics) {
    expect(metric.contribution).toBeCloseTo(metric.weight! * (metric.normalized ?? 0), 12);
  }
}

describe('scoring the shipped model on the hand-made portfolio', () => {
  it('explains every score exactly: contributions sum to it', async () => {
    const [balanced] = defaultModels();
    await withTables(baseRows(), async (connection, tables) => {
      const result = await scoreModel(connection, { model: balanced!, asOf: [T, T2], tables });
      expect(result.rows.map((r) => `${r.as_of} ${r.account_id}`)).toEqual([
        `${T2} A1`,
        `${T2} A2`,
        `${T2} A3`,
        `${T} A1`,
        `${T} A2`,
      ]);
      for (const row of result.rows) {
        expectExplained(row);
        expect(row.score!).toBeGreaterThanOrEqual(0);
        expect(row.score!).toBeLessThanOrEqual(100);
        const band = row.score! < 50 ? 'red' : row.score! < 75 ? 'yellow' : 'green';
        expect(row.band).toBe(band);
      }
      expect(result.warnings).toEqual([]);
      expect(result.modelHash).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  it('leaves the same results in DuckDB tables', async () => {
    const [balanced] = defaultModels();
    await withTables(baseRows(), async (connection, tables) => {
      const js = await scoreModel(connection, { model: balanced!, asOf: [T, T2], tables });
      const written = await scoreModelToTables(connection, {
        model: balanced!,
        asOf: [T, T2],
        tables,
        into: { scores: 'scores', components: 'component_scores', contributions: 'contributions' },
      });
      expect(written.rows).toBe(5);
      const scores = await runRows<{
        account_id: string;
        as_of: string;
        score: number;
        band: string;
      }>(
        connection,
        `SELECT account_id, strftime(as_of, '%Y-%m-%d') AS as_of, score, band FROM scores ORDER BY as_of, account_id`,
        {},
      );
      expect(scores.map((s) => [s.account_id, s.as_of, s.band])).toEqual(
        js.rows.map((r) => [r.account_id, r.as_of, r.band]),
      );
      scores.forEach((s, i) => expect(s.score).toBeCloseTo(js.rows[i]!.score!, 12));
      const [check] = await runRows<{ worst: number; n: bigint; components: bigint }>(
        connection,
        `SELECT max(abs(s.score - c.total)) AS worst, count(*) AS n,
           (SELECT count(*) FROM component_scores) AS components
         FROM scores s JOIN (
           SELECT account_id, as_of, sum(contribution) AS total, count(*) AS n
           FROM contributions GROUP BY ALL
         ) c USING (account_id, as_of)`,
        {},
      );
      expect(check!.worst).toBeLessThan(1e-9);
      expect(check!.n).toBe(5n);
      expect(check!.components).toBe(BigInt(5 * balanced!.components.length));
      const [row] = await runRows<Record<string, unknown>>(
        connection,
        `SELECT component, metric, position FROM contributions WHERE account_id = 'A1' AND as_of = DATE '${T}' ORDER BY position LIMIT 1`,
        {},
      );
      expect(row).toEqual({ component: 'usage', metric: 'active_user_ratio_30d', position: 0 });
    });
  });

  it('refuses table names that are not plain identifiers', async () => {
    const [balanced] = defaultModels();
    await withTables(baseRows(), async (connection, tables) => {
      await expect(
        scoreModelToTables(connection, {
          model: balanced!,
          asOf: [T],
          tables,
          into: { scores: 'scores; DROP TABLE accounts' },
        }),
      ).rejects.toThrow('"scores; DROP TABLE accounts" is not a plain table name');
    });
  });

  it('names the metric and the missing table when a table is absent', async () => {
    const [balanced] = defaultModels();
    const rows = baseRows();
    delete rows.support_tickets;
    await withTables(rows, async (connection, tables) => {
      const attempt = scoreModel(connection, { model: balanced!, asOf: [T], tables });
      await expect(attempt).rejects.toBeInstanceOf(LabError);
      await expect(attempt).rejects.toThrow(
        'model "balanced" cannot be scored: metric "tickets_opened_90d" needs table support_tickets, which is not in the data; metric "csat_avg_180d" needs table support_tickets',
      );
      const error = await attempt.catch((e: LabError) => e);
      expect((error as LabError).details).toMatchObject({
        unavailable: [
          {
            metric: 'tickets_opened_90d',
            missingTables: ['support_tickets'],
            paths: ['components[1].metrics[0]'],
          },
          expect.anything(),
          expect.anything(),
        ],
      });
    });
  });
});

describe('bands', () => {
  // One metric with identity thresholds: the score equals the raw value.
  const model = signalModel([['only', 1, [entry('x', 1)]]]);
  it('are red below red, yellow below yellow, green from yellow on (edges exact)', async () => {
    const values = { A: 49.999, B: 50, C: 74.999, D: 75, E: 0, F: 100 };
    const rows = signalRows(
      Object.entries(values).map(([account, x]) => ({ account, values: { x } })),
    );
    await withTables(rows, async (connection, tables) => {
      const result = await scoreModel(connection, { model, asOf: [T], tables });
      expect(Object.fromEntries(result.rows.map((r) => [r.account_id, [r.score, r.band]]))).toEqual(
        {
          A: [49.999, 'red'],
          B: [50, 'yellow'],
          C: [74.999, 'yellow'],
          D: [75, 'green'],
          E: [0, 'red'],
          F: [100, 'green'],
        },
      );
    });
  });

  it('put a sum of contributions meant to equal a threshold on its side', async () => {
    // Weights 1, 1, 12 and every value 75: 75/14 + 75/14 + 75*12/14 sums to 74.99999999999999 in
    // floating point; the score keeps that, the band treats it as 75.
    const three = signalModel([['only', 1, [entry('x', 1), entry('y', 1), entry('z', 12)]]]);
    const rows = signalRows([{ account: 'A', values: { x: 75, y: 75, z: 75 } }]);
    await withTables(rows, async (connection, tables) => {
      const [row] = (await scoreModel(connection, { model: three, asOf: [T], tables })).rows;
      expect(row!.score).toBeCloseTo(75, 12);
      expect(row!.band).toBe('green');
    });
  });
});

describe('segment overrides', () => {
  // usage (1): u (1), v (1); support (1): s (1). Enterprise: support 3, usage.v 3.
  const model = signalModel(
    [
      ['usage', 1, [entry('u', 1), entry('v', 1)]],
      ['support', 1, [entry('s', 1)]],
    ],
    {
      segments: {
        Enterprise: {
          components: {
            support: { weight: 3 },
            usage: { metrics: { 'signal:v:latest': { weight: 3 } } },
          },
        },
      },
    },
  );
  const values = { u: 80, v: 20, s: 40 };

  it('apply to their segment only', async () => {
    const rows = signalRows([
      { account: 'SMB1', segment: 'SMB', values },
      { account: 'ENT1', segment: 'Enterprise', values },
      { account: 'MM1', segment: 'Mid-Market', values },
    ]);
    await withTables(rows, async (connection, tables) => {
      const result = await scoreModel(connection, { model, asOf: [T], tables });
      const by = Object.fromEntries(result.rows.map((r) => [r.account_id, r]));
      // Default: usage (80 + 20) / 2 = 50; score 0.5 * 50 + 0.5 * 40 = 45.
      for (const id of ['SMB1', 'MM1']) {
        expect(by[id]!.score).toBeCloseTo(45, 12);
        expect(by[id]!.metrics.map((m) => m.weight)).toEqual([0.25, 0.25, 0.5]);
      }
      // Enterprise: usage 0.25 * 80 + 0.75 * 20 = 35; components 1/4, 3/4: 8.75 + 30 = 38.75.
      expect(by.ENT1!.score).toBeCloseTo(38.75, 12);
      expect(by.ENT1!.components).toEqual([
        { key: 'usage', score: 35, weight: 0.25 },
        { key: 'support', score: 40, weight: 0.75 },
      ]);
      expect(by.ENT1!.metrics.map((m) => m.weight)).toEqual([0.0625, 0.1875, 0.75]);
      for (const row of result.rows) expectExplained(row);
    });
  });
});
