import { Command } from 'commander';
import { listAudit } from '../../../lab/registry/index.ts';
import { positiveInteger } from '../options.ts';
import { formatTable, printJson, short, stateOption, withState } from './models.ts';

export function auditCommand(): Command {
  return new Command('audit')
    .description(
      'the audit log, newest first: every production change (initial, promote, rollback) and every refused promotion, with the figures it rested on',
    )
    .option('--limit <n>', 'show at most N entries', positiveInteger, 20)
    .addOption(stateOption())
    .option('--json', 'print the entries (with the gate figures) as JSON')
    .action(async (options: { limit: number; state: string; json?: boolean }) => {
      const entries = await withState(
        options.state,
        ({ connection, schema }) => listAudit(connection, schema, { limit: options.limit }),
        { mustExist: true },
      );
      if (options.json) return printJson(entries);
      if (entries.length === 0) return void process.stdout.write('the audit log is empty\n');
      const gate = (passed: boolean | null, overridden: boolean) =>
        passed === null ? null : overridden ? 'overridden' : passed ? 'passed' : 'refused';
      process.stdout.write(
        formatTable(
          ['#', 'WHEN', 'BY', 'ACTION', 'FROM', 'TO', 'GATE', 'REASON'],
          entries.map((e) => [
            e.seq,
            e.at,
            e.by,
            e.action,
            short(e.fromHash),
            short(e.toHash),
            gate(e.gatePassed, e.overridden),
            e.reason,
          ]),
        ),
      );
    });
}
