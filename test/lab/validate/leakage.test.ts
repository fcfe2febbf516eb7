import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableName } from '../../../data/contract.ts';
import { STATIC_METRICS } from '../../../lab/metrics/catalog.ts';
import { defaultModels } from '../../../lab/model/defaults.ts';
import { parseModel, type Model } from '../../../lab/model/spec.ts';
import { backtest } from '../../../lab/validate/backtest.ts';
import type { BacktestResult } from '../../../lab/validate/schema.ts';
import { openLabDatabase } from '../helpers.ts';
import { demoFolder, loadDemoTables } from './demo-data.ts';

/**
 * The point-in-time rule, end to end: a backtest's figures at T must not depend on anything dated
 * after T except the outcomes its labels look at. Checked on generated data with every table,
 * with a model that reads every metric of the catalog (ranked across all accounts, so a change in
 * any account's metric moves the others' scores too), the shipped model and custom signals.
 */
const END = '2025-06-30';
const OPTIONS = { accounts: 250, days: 400, seed: 11, endDate: END };
const SETTINGS = {
  from: '2025-01-31',
  to: '2025-04-01',
  every: 30,
  horizon: 60,
  dataEnd: END,
  bootstrap: { reps: 20, seed: 5 },
};
const LAST = '2025-04-01';

const everything: Model = parseModel({
  name: 'everything',
  bands: { red: 45, yellow: 55 },
  components: [
    {
      key: 'all',
      weight: 1,
      metrics: [
        ...STATIC_METRICS.map((m) => m.name),
        'signal:api_calls:latest',
        'signal:product_qualified_score:trend_60d',
      ].map((metric) => ({
        metric,
        weight: 1,
        direction: 'higher_is_better',
        normalize: { method: 'percentile', within: 'all' },
      })),
    },
  ],
});
const MODELS = [everything, defaultModels()[0]!];

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await demoFolder(OPTIONS));
});
afterAll(async () => cleanup?.());

type Change = Parameters<typeof loadDemoTables>[2];

async function run(
  model: Model,
  settings: typeof SETTINGS,
  change: Change = {},
  extra: (
    connection: Awaited<ReturnType<typeof openLabDatabase>>['connection'],
  ) => Promise<void> = async () => {},
): Promise<BacktestResult> {
  const { connection, close } = await openLabDatabase();
  try {
    const tables = await loadDemoTables(connection, dir, change);
    await extra(connection);
    return await backtest(connection, model, { ...settings, tables });
  } finally {
    close();
  }
}

/** Rows after `date` in every signal table, with values that would move any metric reading them. */
async function appendFuture(
  connection: Awaited<ReturnType<typeof openLabDatabase>>['connection'],
  from: string,
  to: string,
) {
  const days = `generate_series(CAST('${from}' AS DATE) + 1, CAST('${to}' AS DATE), INTERVAL 1 DAY)`;
  const each = `FROM accounts a, (SELECT CAST(unnest(${days}) AS DATE) AS d)`;
  await connection.run(`INSERT INTO usage_daily SELECT a.account_id, d, 1, 900, 5000, 7000, 40 ${each}
    WHERE NOT EXISTS (SELECT 1 FROM usage_daily u WHERE u.account_id = a.account_id AND u.date = d)`);
  await connection.run(`INSERT INTO support_tickets SELECT 'future-' || a.account_id || d, a.account_id,
    CAST(d AS TIMESTAMP), NULL, 'urgent', NULL ${each}`);
  await connection.run(`INSERT INTO engagement SELECT a.account_id, d, k, 50 ${each},
    (SELECT unnest(['email_open', 'event', 'community', 'meeting']) AS k)
    WHERE NOT EXISTS (SELECT 1 FROM engagement e WHERE e.account_id = a.account_id AND e.date = d AND e.kind = k)`);
  await connection.run(
    `INSERT INTO invoices SELECT 'future-' || a.account_id || d, a.account_id, d, d, NULL, 1e6 ${each}`,
  );
  await connection.run(`INSERT INTO surveys SELECT a.account_id, d, k, 0 ${each},
    (SELECT unnest(['nps', 'csat']) AS k)
    WHERE NOT EXISTS (SELECT 1 FROM surveys s WHERE s.account_id = a.account_id AND s.date = d AND s.kind = k)`);
  await connection.run(
    `INSERT INTO milestones SELECT a.account_id, 'future_' || strftime(d, '%Y%m%d'), d ${each}`,
  );
  await connection.run(`INSERT INTO signals SELECT a.account_id, d, s, 1e9 ${each},
    (SELECT unnest(['api_calls', 'product_qualified_score']) AS s)
    WHERE NOT EXISTS (SELECT 1 FROM signals g WHERE g.account_id = a.account_id AND g.date = d AND g.signal = s)`);
}

/** Every table as it was known at the end of day T (outcomes kept: labels need them). */
function asKnownAt(t: string): Change {
  const day = `CAST('${t}' AS DATE)`;
  return {
    usage_daily: { where: `date <= ${day}` },
    engagement: { where: `date <= ${day}` },
    surveys: { where: `date <= ${day}` },
    signals: { where: `date <= ${day}` },
    milestones: { where: `achieved_on <= ${day}` },
    support_tickets: {
      where: `CAST(opened_at AS DATE) <= ${day}`,
      select: `ticket_id, account_id, opened_at,
        CASE WHEN CAST(closed_at AS DATE) <= ${day} THEN closed_at END AS closed_at, priority,
        CASE WHEN CAST(closed_at AS DATE) <= ${day} THEN csat END AS csat`,
    },
    invoices: {
      where: `issued_on <= ${day}`,
      select: `invoice_id, account_id, issued_on, due_on,
        CASE WHEN paid_on <= ${day} THEN paid_on END AS paid_on, amount`,
    },
  } satisfies Partial<Record<TableName, unknown>>;
}

describe('the point-in-time rule in backtests', () => {
  it('refuses a metric outside the catalog: nothing but catalog SQL computes metrics', () => {
    expect(() =>
      parseModel({
        ...everything,
        components: [
          {
            key: 'peek',
            weight: 1,
            metrics: [
              {
                metric: 'logins_next_30d',
                weight: 1,
                direction: 'higher_is_better',
                normalize: { method: 'percentile' },
              },
            ],
          },
        ],
      }),
    ).toThrow(/components\[0\]\.metrics\[0\]\.metric: unknown metric "logins_next_30d"/);
  });

  for (const model of MODELS) {
    it(`${model.name}: rows appended after the last snapshot change no figure`, async () => {
      const before = await run(model, SETTINGS);
      const after = await run(model, SETTINGS, {}, (c) => appendFuture(c, LAST, END));
      expect(before.counts.evaluated).toBeGreaterThan(500);
      expect(before.counts.positives).toBeGreaterThan(20);
      expect(after).toEqual(before);
      // The same rows a month earlier, inside the windows of the last snapshot, do change it:
      // the check above could fail.
      const earlier = await run(model, SETTINGS, {}, (c) => appendFuture(c, '2025-03-05', LAST));
      expect(earlier.overall).not.toEqual(before.overall);
    });

    it(`${model.name}: each snapshot scores the same on the data as it was known then`, async () => {
      for (const t of ['2025-01-31', LAST]) {
        const single = { ...SETTINGS, from: t, to: t };
        const full = await run(model, single);
        const known = await run(model, single, asKnownAt(t));
        expect(full.counts.evaluated).toBeGreaterThan(100);
        expect(known).toEqual(full);
      }
    });
  }
});
