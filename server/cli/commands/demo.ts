import path from 'node:path';
import { Command } from 'commander';
import { DEMO_DEFAULTS, defaultEndDate, generateDemo } from '../../../data/generator/generate.ts';
import { integer, isoDate, positiveInteger } from '../options.ts';

export function demoCommand(): Command {
  return new Command('demo')
    .description('write a realistic demo dataset (every table of the data contract) as Parquet')
    .option('--accounts <n>', 'number of accounts', positiveInteger, DEMO_DEFAULTS.accounts)
    .option('--days <n>', 'days of history', positiveInteger, DEMO_DEFAULTS.days)
    .option(
      '--seed <n>',
      'random seed; the same seed gives identical files',
      integer,
      DEMO_DEFAULTS.seed,
    )
    .option('--out <dir>', 'output folder', './data/demo')
    .option('--end-date <date>', 'last day of data, YYYY-MM-DD (default: yesterday, UTC)', isoDate)
    .option('--json', 'print the result as JSON')
    .action(
      async (options: {
        accounts: number;
        days: number;
        seed: number;
        out: string;
        endDate?: string;
        json?: boolean;
      }) => {
        const outDir = path.resolve(options.out);
        const result = await generateDemo(
          {
            accounts: options.accounts,
            days: options.days,
            seed: options.seed,
            endDate: options.endDate ?? defaultEndDate(new Date()),
            outDir,
          },
          { log: options.json ? undefined : (message) => process.stderr.write(`${message}\n`) },
        );
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ outDir, ...result }, null, 2)}\n`);
          return;
        }
        const width = Math.max(...result.files.map((file) => file.table.length));
        for (const file of result.files) {
          process.stdout.write(
            `${file.table.padEnd(width)}  ${file.rows.toLocaleString('en-US').padStart(12)} rows  ${(file.bytes / 1e6).toFixed(1).padStart(7)} MB\n`,
          );
        }
        process.stdout.write(`wrote ${outDir} in ${result.seconds.toFixed(1)} s\n`);
      },
    );
}
