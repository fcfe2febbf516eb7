import path from 'node:path';
import { Command } from 'commander';
import { checkData, openDatabase, withConnection } from '../../../data/index.ts';
import { formatReport } from '../format-report.ts';
import { isoDate, todayUtc } from '../options.ts';

export function checkDataCommand(): Command {
  return new Command('check-data')
    .description('check a data folder against the data contract; exit code 1 when it has errors')
    .argument('[dir]', 'the data folder', process.env.DATA_DIR ?? './data/demo')
    .option(
      '--today <date>',
      'the date after which dates count as "in the future" (default: today, UTC)',
      isoDate,
    )
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, options: { today?: string; json?: boolean }) => {
      const dataDir = path.resolve(dir);
      const db = await openDatabase();
      try {
        const report = await withConnection(db, (connection) =>
          checkData(connection, dataDir, { today: options.today ?? todayUtc() }),
        );
        process.stdout.write(
          options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
        );
        process.exitCode = report.ok ? 0 : 1;
      } finally {
        db.closeSync();
      }
    });
}
