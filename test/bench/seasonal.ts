/**
 * Seasonality figures: December false alarms of `balanced` with raw vs seasonally adjusted usage,
 * their backtests on identical snapshots, and the cost of decomposing many daily series.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableName } from '../../data/contract.ts';
import { defaultModels } from '../../lab/model/defaults.ts';
import { scoreModelToTables } from '../../lab/model/score.ts';
import type { Model } from '../../lab/model/spec.ts';
import { runRows } from '../../lab/run.ts';
import { decomposeDaily } from '../../lab/seasonality/index.ts';
import { compare, defaultBacktestSettings } from '../../lab/validate/index.ts';

const shift = (iso: string, days: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * False alarms around the holidays: accounts not red on Dec 17 that turn red on some day of Dec
 * 18-31, counted as false alarms when they do not churn within 90 days of the first red day and
 * as caught churn when they do. The December is the last one with 90 days of data after it.
 */
async function decemberAlarms(
  connection: DuckDBConnection,
  tables: TableName[],
  model: Model,
  year: number,
) {
  const reference = `${year}-12-17`;
  const days = Array.from({ length: 14 }, (_, i) => shift(reference, i + 1));
  await scoreModelToTables(connection, {
    model,
    asOf: [reference, ...days],
    tables,
    into: { scores: 'bench_december' },
  });
  const [row] = await runRows<{ turned: number; falseAlarms: number; caught: number }>(
    connection,
    `WITH first_red AS (
  SELECT account_id, min(as_of) AS first_red FROM bench_december
  WHERE band = 'red' AND as_of > DATE '${reference}' GROUP BY account_id
), turned AS (
  SELECT f.account_id, f.first_red FROM first_red f
  JOIN bench_december r ON r.account_id = f.account_id AND r.as_of = DATE '${reference}'
  WHERE r.band IS DISTINCT FROM 'red'
), churn AS (
  SELECT account_id, min(event_date) AS churned_on FROM outcomes WHERE event = 'churned' GROUP BY account_id
)
SELECT CAST(count(*) AS DOUBLE) AS turned,
  CAST(count(*) FILTER (WHERE c.churned_on IS NULL OR c.churned_on > t.first_red + 90) AS DOUBLE) AS "falseAlarms",
  CAST(count(*) FILTER (WHERE c.churned_on <= t.first_red + 90) AS DOUBLE) AS caught
FROM turned t LEFT JOIN churn c ON c.account_id = t.account_id`,
    {},
  );
  return row!;
}

export async function seasonalBench(connection: DuckDBConnection, tables: TableName[]) {
  const [{ last }] = (await runRows<{ last: string }>(
    connection,
    `SELECT strftime(max(date), '%Y-%m-%d') AS last FROM usage_daily`,
    {},
  )) as [{ last: string }];
  // The last December followed by 90 days of data.
  const lastDay = new Date(`${last}T00:00:00Z`);
  const year =
    lastDay.getUTCFullYear() - (shift(`${lastDay.getUTCFullYear()}-12-31`, 90) <= last ? 0 : 1);
  const raw = defaultModels()[0]!;
  const adjusted = defaultModels().find((model) => model.name === 'balanced-seasonal')!;
  const started = performance.now();
  const alarms = {
    raw: await decemberAlarms(connection, tables, raw, year),
    adjusted: await decemberAlarms(connection, tables, adjusted, year),
  };
  const alarmSeconds = (performance.now() - started) / 1000;
  const settings = { ...(await defaultBacktestSettings(connection, tables)), tables };
  const compareStarted = performance.now();
  const result = await compare(connection, [raw, adjusted], settings);
  const compareSeconds = (performance.now() - compareStarted) / 1000;
  const auc = (i: number) => result.models[i]!.overall.rocAuc;
  return {
    december: year,
    alarms,
    falseAlarmReduction:
      alarms.raw.falseAlarms > 0 ? 1 - alarms.adjusted.falseAlarms / alarms.raw.falseAlarms : null,
    alarmSeconds,
    backtest: {
      snapshots: result.snapshotDates.length,
      rawAuc: auc(0),
      adjustedAuc: auc(1),
      pairedDifference: result.pairedAuc.find((p) => p.model === 1)?.difference ?? null,
      seconds: compareSeconds,
    },
  };
}

/** Daily active users of `count` accounts with usage on the first and last of the last `days` days. */
async function accountSeries(connection: DuckDBConnection, count: number, days: number) {
  const rows = await runRows<{ values: number[] }>(
    connection,
    `WITH last AS (SELECT max(date) AS last FROM usage_daily),
picked AS (
  SELECT account_id FROM usage_daily, last
  WHERE date = last.last - ${days - 1} OR date = last.last
  GROUP BY account_id HAVING count(*) = 2
  ORDER BY account_id LIMIT ${count}
)
SELECT list(CAST(u.active_users AS DOUBLE) ORDER BY u.date) AS values
FROM usage_daily u JOIN picked p ON p.account_id = u.account_id, last
WHERE u.date > last.last - ${days}
GROUP BY u.account_id`,
    {},
  );
  return rows.map((row) => row.values.map((v) => Number(v)));
}

/** Time to decompose `count` real daily series of `days` points (periods chosen by length). */
export async function decomposeBench(connection: DuckDBConnection, count: number, days: number) {
  const series = await accountSeries(connection, count, days);
  const started = performance.now();
  let periods: number[] = [];
  for (const values of series) periods = decomposeDaily(values).periodsUsed;
  return {
    series: series.length,
    points: days,
    periods,
    seconds: (performance.now() - started) / 1000,
  };
}
