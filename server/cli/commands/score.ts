import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { cliProgress } from '../progress.ts';
import { queryRows, sqlString, withConnection } from '../../../data/duckdb.ts';
import {
  datesBack,
  ensureHistory,
  latestDataDate,
  accountCount,
  backfillScores,
  batchSizeFor,
  DEFAULT_BATCH_ROWS,
} from '../../../lab/history/index.ts';
import { defaultModels } from '../../../lab/model/defaults.ts';
import { modelHash } from '../../../lab/model/hash.ts';
import { scoreModelToTables } from '../../../lab/model/score.ts';
import { parseModel, type Model } from '../../../lab/model/spec.ts';
import { ensureProduction, ensureRegistry, productionModel } from '../../../lab/registry/index.ts';
import { openCheckedData } from '../dataset.ts';
import { isoDate, positiveInteger, todayUtc } from '../options.ts';

interface ScoreOptions {
  asOf?: string;
  from?: string;
  to?: string;
  every: number;
  batchRows: number;
  model?: string;
  data: string;
  state: string;
  out?: string;
  json?: boolean;
}

const STATE_SCHEMA = 'state';

export function scoreCommand(): Command {
  return new Command('score')
    .description(
      'score every active account as of a date and write the scores to a file, or (with --from/--to) backfill the score history in STATE_DIR',
    )
    .option(
      '--as-of <date>',
      'score as of this date, YYYY-MM-DD (default: the latest data date)',
      isoDate,
    )
    .option('--from <date>', 'backfill: first date', isoDate)
    .option('--to <date>', 'backfill: last date (default: the latest data date)', isoDate)
    .option('--every <days>', 'backfill: days between dates', positiveInteger, 7)
    .option(
      '--batch-rows <n>',
      'backfill: scores computed and committed together (accounts × dates)',
      positiveInteger,
      process.env.SCORE_BATCH_ROWS
        ? positiveInteger(process.env.SCORE_BATCH_ROWS)
        : DEFAULT_BATCH_ROWS,
    )
    .option(
      '--model <file>',
      'model JSON file (default: the production model in STATE_DIR, else the shipped default)',
    )
    .option('--data <dir>', 'data folder', process.env.DATA_DIR ?? './data/demo')
    .option(
      '--state <dir>',
      'state folder (the server must not be running on it)',
      process.env.STATE_DIR ?? './state',
    )
    .addOption(new Option('--out <file>', 'write the scores to FILE.parquet or FILE.csv'))
    .option('--json', 'print the scores (or the backfill result) as JSON')
    .action(async (options: ScoreOptions) => {
      if (options.from) {
        await backfill(options);
      } else {
        await scoreOnce(options);
      }
    });
}

async function loadModel(
  options: ScoreOptions,
  stateFile: string | null,
): Promise<{ model: Model; source: string }> {
  if (options.model) {
    return { model: parseModel(await readFile(options.model, 'utf8')), source: options.model };
  }
  if (stateFile) {
    const { openDatabase } = await import('../../../data/duckdb.ts');
    try {
      const db = await openDatabase(stateFile, { access_mode: 'READ_ONLY' });
      try {
        const production = await withConnection(db, async (connection) =>
          productionModel(connection, 'main').catch(() => null),
        );
        if (production)
          return { model: production.model, source: `production model in ${stateFile}` };
      } finally {
        db.closeSync();
      }
    } catch {
      // No readable state (missing, or held by a running server): the shipped default applies.
    }
  }
  return { model: defaultModels()[0]!, source: 'shipped default model' };
}

async function scoreOnce(options: ScoreOptions) {
  const { db, tables } = await openCheckedData(options.data, todayUtc());
  try {
    const stateFile = path.resolve(options.state, 'vitals.duckdb');
    const { model, source } = await loadModel(options, stateFile);
    process.stderr.write(`scoring with ${model.name} (${source})\n`);
    await withConnection(db, async (connection) => {
      const asOf = options.asOf ?? (await latestDataDate(connection, tables, todayUtc()));
      if (!asOf) throw new Error('the data has no dated rows to score');
      await scoreModelToTables(connection, {
        model,
        asOf: [asOf],
        tables,
        into: { scores: 'cli_scores', components: 'cli_components' },
      });
      const componentColumns = model.components
        .map(
          (component) =>
            `max(c.score) FILTER (WHERE c.component = ${sqlString(component.key)}) AS "${component.key}_score"`,
        )
        .join(',\n  ');
      const select = `SELECT s.account_id, strftime(s.as_of, '%Y-%m-%d') AS as_of, s.segment, s.score, s.band,
  s.reason, s.missing_metrics, ${componentColumns}
FROM cli_scores s JOIN cli_components c USING (account_id, as_of)
GROUP BY ALL ORDER BY s.account_id`;
      if (options.out) {
        const out = path.resolve(options.out);
        const format = out.endsWith('.csv')
          ? 'csv, HEADER true'
          : out.endsWith('.parquet')
            ? 'parquet'
            : null;
        if (!format) throw new Error(`--out must end in .parquet or .csv, got ${options.out}`);
        await connection.run(`COPY (${select}) TO ${sqlString(out)} (FORMAT ${format})`);
        process.stderr.write(`wrote ${out}\n`);
      }
      const rows = await queryRows(connection, select);
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ model: model.name, modelHash: modelHash(model), asOf, accounts: rows.length, rows }, null, 2)}\n`,
        );
      } else {
        const bands = { red: 0, yellow: 0, green: 0 } as Record<string, number>;
        for (const row of rows) bands[String(row.band)] = (bands[String(row.band)] ?? 0) + 1;
        process.stdout.write(
          `${asOf}: ${rows.length} accounts scored with ${model.name}: ${bands.red} red, ${bands.yellow} yellow, ${bands.green} green\n`,
        );
      }
    });
  } finally {
    db.closeSync();
  }
}

async function backfill(options: ScoreOptions) {
  const { db, tables } = await openCheckedData(options.data, todayUtc());
  try {
    const stateFile = path.resolve(options.state, 'vitals.duckdb');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.dirname(stateFile), { recursive: true });
    await withConnection(db, async (connection) => {
      try {
        await connection.run(`ATTACH ${sqlString(stateFile)} AS ${STATE_SCHEMA}`);
      } catch (error) {
        throw new Error(
          `cannot open ${stateFile} for writing (is the server running on it? stop it first): ${(error as Error).message.split('\n')[0]}`,
          { cause: error },
        );
      }
      await ensureRegistry(connection, STATE_SCHEMA);
      await ensureHistory(connection, STATE_SCHEMA);
      // Without --model, the production model (registered on a fresh state, as the server does).
      const model = options.model
        ? parseModel(await readFile(options.model, 'utf8'))
        : (await ensureProduction(connection, STATE_SCHEMA, defaultModels()[0]!, new Date())).model;
      const to = options.to ?? (await latestDataDate(connection, tables, todayUtc()));
      if (!to) throw new Error('the data has no dated rows to score');
      const dates = datesBack(options.from!, to, options.every);
      if (dates.length === 0) throw new Error(`--from ${options.from} is after ${to}`);
      process.stderr.write(
        `backfilling ${dates.length} dates (${dates[0]} .. ${to}) with ${model.name}\n`,
      );
      const reporter = cliProgress('score');
      const started = performance.now();
      const result = await backfillScores(connection, STATE_SCHEMA, {
        model,
        asOf: dates,
        tables,
        trigger: 'cli backfill',
        now: () => new Date(),
        batchDates: batchSizeFor(await accountCount(connection), options.batchRows),
        onBatch: (done, total) =>
          reporter.progress({
            stage: 'backfill dates',
            done,
            total,
            ...(done === total ? { seconds: (performance.now() - started) / 1000 } : {}),
          }),
      }).finally(() => reporter.stop());
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ ...result, from: dates[0], to }, null, 2)}\n`
          : `stored ${result.accounts} scores for ${result.dates} dates in ${result.seconds.toFixed(1)} s\n`,
      );
    });
  } finally {
    db.closeSync();
  }
}
