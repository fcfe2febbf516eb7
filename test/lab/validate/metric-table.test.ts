import { describe, expect, it } from 'vitest';
import { compileModel } from '../../../lab/model/compile.ts';
import { defaultModels } from '../../../lab/model/defaults.ts';
import { scoreModel } from '../../../lab/model/score.ts';
import { runRows } from '../../../lab/run.ts';
import { materializeMetrics, metricRequests } from '../../../lab/validate/metric-table.ts';
import { baseRows, T, T2 } from '../fixtures.ts';
import { withTables } from '../helpers.ts';
import { entry, signalModel } from '../models.ts';

const DATES = ['2024-02-15', T2, '2024-03-20', T];

describe('metrics computed once into a table', () => {
  it('hold the same values whatever the number of dates per query', async () => {
    const [balanced] = defaultModels();
    await withTables(baseRows(), async (connection, tables) => {
      const read = async (table: string) =>
        runRows(connection, `SELECT * FROM ${table} ORDER BY as_of, account_id`, {});
      const metrics = metricRequests([balanced!]);
      const one = await materializeMetrics(connection, {
        metrics,
        asOf: DATES,
        tables,
        into: 'one',
        datesPerQuery: 1,
      });
      const all = await materializeMetrics(connection, {
        metrics,
        asOf: DATES,
        tables,
        into: 'together',
        datesPerQuery: 100,
      });
      expect(one.columns).toEqual(all.columns);
      const rows = await read('one');
      expect(rows.length).toBe(2 + 3 + 2 + 2);
      expect(rows).toEqual(await read('together'));
    });
  });

  it('score exactly as computing the metrics in the scoring query does', async () => {
    const [balanced] = defaultModels();
    await withTables(baseRows(), async (connection, tables) => {
      const metrics = await materializeMetrics(connection, {
        metrics: metricRequests([balanced!]),
        asOf: DATES,
        tables,
        into: 'shared',
        datesPerQuery: 2,
      });
      const direct = await scoreModel(connection, { model: balanced!, asOf: [T2, T], tables });
      // Scoring only some of the table's dates must rank within those dates alone.
      const compiled = compileModel(balanced!, { asOf: [T2, T], tables, metricSource: metrics });
      const shared = await runRows<{
        account_id: string;
        as_of: string;
        score: number;
        band: string;
      }>(
        connection,
        `SELECT account_id, strftime(as_of, '%Y-%m-%d') AS as_of, score, band FROM (${compiled.sql}) ORDER BY as_of, account_id`,
        compiled.params,
      );
      expect(shared).toEqual(
        direct.rows.map((row) => ({
          account_id: row.account_id,
          as_of: row.as_of,
          score: row.score,
          band: row.band,
        })),
      );
    });
  });

  it('refuse a model that needs a metric the table does not hold', async () => {
    await withTables(baseRows(), async (connection, tables) => {
      const metrics = await materializeMetrics(connection, {
        metrics: ['signal:api_calls:latest'],
        asOf: [T],
        tables,
        into: 'narrow',
      });
      const model = signalModel([['x', 1, [entry('api_calls', 1), entry('other', 1)]]]);
      expect(() => compileModel(model, { asOf: [T], tables, metricSource: metrics })).toThrow(
        'the metric table narrow has no column for metric "signal:other:latest"',
      );
    });
  });
});
