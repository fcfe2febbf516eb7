/**
 * `npx tsx test/bench/score-synthetic.ts [accounts] [days]`: times scoring on a synthetic portfolio
 * made with SQL (default 50,000 accounts x 730 days of usage plus every other table). Not a test:
 * it prints timings; the machines are shared, so nothing is asserted.
 */
import { defaultModels } from '../../lab/model/defaults.ts';
import { scoreModel, scoreModelToTables } from '../../lab/model/score.ts';
import { TABLE_NAMES } from '../../data/contract.ts';
import { openDatabase } from '../../data/duckdb.ts';

const accounts = Number(process.argv[2] ?? 50_000);
const days = Number(process.argv[3] ?? 730);
const end = '2026-06-30';
// SPEED_DB=/tmp/speed.duckdb keeps the generated data between runs.
const instance = await openDatabase(process.env.SPEED_DB ?? ':memory:');
const connection = await instance.connect();
const existing = await connection.runAndReadAll(
  "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'signals'",
);
/** Wall-clock and process CPU seconds (DuckDB threads included): CPU is steadier on busy hosts. */
const time = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await fn();
  const used = process.cpuUsage(cpu);
  const wall = (performance.now() - started) / 1000;
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(`${label}: ${wall.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU`);
  return result;
};
const h = (...parts: string[]) => `(hash(${parts.join(', ')}) % 1000000) / 1000000.0`;

if (Number(existing.getRows()[0]![0]) === 0)
  await time('generate', async () => {
    await connection.run(`
CREATE TABLE accounts AS SELECT printf('A%06d', i) AS account_id, 'n' AS name,
  CASE WHEN i % 10 < 6 THEN 'SMB' WHEN i % 10 < 9 THEN 'Mid-Market' ELSE 'Enterprise' END AS segment,
  'Growth' AS plan, 'NA' AS region, 'Software' AS industry, 10000.0 AS arr,
  CAST(DATE '${end}' - ${days} - CAST(i % 1000 AS INTEGER) + CAST(i % 7 AS INTEGER) * 60 AS DATE) AS start_date,
  DATE '2027-01-01' AS renewal_date, 'o' AS owner
FROM range(${accounts}) r(i);
CREATE TABLE usage_daily AS
SELECT a.account_id, CAST(DATE '${end}' - CAST(k AS INTEGER) AS DATE) AS date, CAST(10 + i % 50 AS BIGINT) AS seats,
  CAST(floor((10 + i % 50) * ${h('a.account_id', 'k')}) AS BIGINT) AS active_users,
  CAST(floor(30 * ${h('k', 'a.account_id')}) AS BIGINT) AS logins,
  CAST(floor(200 * ${h('a.account_id')}) AS BIGINT) AS feature_events,
  CAST(floor(20 * ${h('k')}) AS BIGINT) AS features_used
FROM range(${days}) d(k), (SELECT account_id, row_number() OVER () AS i FROM accounts) a
ORDER BY date, account_id;
CREATE TABLE support_tickets AS
SELECT printf('T%09d', row_number() OVER ()) AS ticket_id, account_id,
  CAST(DATE '${end}' - CAST(floor(${days} * ${h('account_id', 'j')}) AS INTEGER) AS TIMESTAMP) AS opened_at,
  CASE WHEN ${h('j', 'account_id')} < 0.95 THEN CAST(DATE '${end}' - CAST(floor(${days} * ${h('account_id', 'j')}) AS INTEGER) + 3 AS TIMESTAMP) END AS closed_at,
  ['low', 'normal', 'high', 'urgent'][1 + j % 4] AS priority,
  CASE WHEN j % 2 = 0 THEN CAST(1 + j % 5 AS BIGINT) END AS csat
FROM accounts, range(20) r(j);
CREATE TABLE engagement AS
SELECT account_id, CAST(DATE '${end}' - CAST(j * 14 AS INTEGER) AS DATE) AS date,
  ['email_open', 'event', 'community', 'meeting'][1 + j % 4] AS kind, CAST(1 + j % 3 AS BIGINT) AS "count"
FROM accounts, range(50) r(j);
CREATE TABLE invoices AS
SELECT printf('I%09d', row_number() OVER ()) AS invoice_id, account_id,
  CAST(DATE '${end}' - CAST(j * 30 AS INTEGER) AS DATE) AS issued_on,
  CAST(DATE '${end}' - CAST(j * 30 AS INTEGER) + 30 AS DATE) AS due_on,
  CASE WHEN ${h('account_id', 'j')} < 0.97 THEN CAST(DATE '${end}' - CAST(j * 30 AS INTEGER) + CAST(20 + 20 * ${h('j', 'account_id')} AS INTEGER) AS DATE) END AS paid_on,
  1000.0 AS amount
FROM accounts, range(24) r(j);
CREATE TABLE surveys AS
SELECT account_id, CAST(DATE '${end}' - CAST(j * 91 AS INTEGER) AS DATE) AS date, 'nps' AS kind,
  CAST(floor(11 * ${h('account_id', 'j')}) AS DOUBLE) AS score
FROM accounts, range(8) r(j);
CREATE TABLE milestones AS
SELECT account_id, ['kickoff', 'integration_live', 'first_report', 'team_invited', 'admin_trained'][1 + j] AS milestone,
  CAST(start_date + CAST(10 + j * 15 AS INTEGER) AS DATE) AS achieved_on
FROM accounts, range(5) r(j);
CREATE TABLE outcomes AS
SELECT account_id, CAST(start_date + 365 AS DATE) AS event_date, 'renewed' AS event, 0.0 AS arr_delta FROM accounts
UNION ALL
SELECT account_id, CAST(DATE '${end}' - CAST(floor(300 * ${h('account_id')}) AS INTEGER) AS DATE), 'churned', -10000.0
FROM accounts WHERE ${h('account_id', "'c'")} < 0.05;
CREATE TABLE signals AS
SELECT account_id, CAST(DATE '${end}' - CAST(j * 7 AS INTEGER) AS DATE) AS date, 'api_calls' AS signal,
  1000 * ${h('account_id', 'j')} AS value
FROM accounts, range(${Math.floor(days / 7)}) r(j);`);
  });
const tables = [...TABLE_NAMES];
// SPEED_PARQUET=DIR scores over Parquet views, as the server does (data/ builds such views).
let scoring = connection;
if (process.env.SPEED_PARQUET) {
  const dir = process.env.SPEED_PARQUET;
  for (const table of tables) {
    await connection.run(`COPY ${table} TO '${dir}/${table}.parquet' (FORMAT parquet)`);
  }
  const views = await openDatabase();
  scoring = await views.connect();
  for (const table of tables) {
    await scoring.run(
      `CREATE VIEW ${table} AS SELECT * FROM read_parquet('${dir}/${table}.parquet')`,
    );
  }
  console.log(`scoring over Parquet views in ${dir}`);
}
const [balanced] = defaultModels();
const months = Array.from({ length: 24 }, (_, m) =>
  new Date(Date.UTC(2024, 7 + m, 0)).toISOString().slice(0, 10),
);

for (let run = 1; run <= 3; run++) {
  await time(`run ${run}: 1 date into tables (scores, components, contributions)`, () =>
    scoreModelToTables(scoring, {
      model: balanced!,
      asOf: [end],
      tables,
      into: { scores: 'scores', components: 'component_scores', contributions: 'contributions' },
    }),
  );
  await time(`run ${run}: 1 date into tables (scores only)`, () =>
    scoreModelToTables(scoring, {
      model: balanced!,
      asOf: [end],
      tables,
      into: { scores: 'scores' },
    }),
  );
}
const js = await time('1 date into JS rows (scoreModel)', () =>
  scoreModel(scoring, { model: balanced!, asOf: [end], tables }),
);
console.log(`  ${js.rows.length} accounts scored; first: ${JSON.stringify(js.rows[0]?.score)}`);
const many = await time(`${months.length} monthly dates into tables (scores only)`, () =>
  scoreModelToTables(scoring, {
    model: balanced!,
    asOf: months,
    tables,
    into: { scores: 'scores' },
  }),
);
console.log(`  ${many.rows} account-dates scored`);
connection.closeSync();
instance.closeSync();
