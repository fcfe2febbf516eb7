import { Command } from 'commander';
import { rollback } from '../../../lab/registry/index.ts';
import { byOption, printJson, short, stateOption, whoAmI, withState } from './models.ts';

export function rollbackCommand(): Command {
  return new Command('rollback')
    .description(
      'make the previous production model production again, in one audited step (a second rollback goes one further back)',
    )
    .option('--reason <text>', 'why; recorded in the audit log')
    .addOption(byOption())
    .addOption(stateOption())
    .option('--json', 'print the result as JSON')
    .action(async (options: { reason?: string; by?: string; state: string; json?: boolean }) => {
      const result = await withState(
        options.state,
        ({ connection, schema }) =>
          rollback(connection, schema, {
            by: options.by ?? whoAmI(),
            reason: options.reason,
            now: new Date(),
          }),
        { mustExist: true },
      );
      if (options.json) return printJson(result);
      process.stdout.write(
        `rolled production back from ${short(result.from)} to ${short(result.to)} (audit #${result.auditSeq})\n`,
      );
    });
}
