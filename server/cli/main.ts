/**
 * The Vitals command line: `npm run vitals -- <verb> [options]`. Every verb has `--help`; verbs
 * whose output is data take `--json`.
 */
import { Command, CommanderError } from 'commander';
import { auditCommand } from './commands/audit.ts';
import { backtestCommand } from './commands/backtest.ts';
import { checkDataCommand } from './commands/check-data.ts';
import { compareCommand } from './commands/compare.ts';
import { decomposeCommand } from './commands/decompose.ts';
import { fitCommand } from './commands/fit.ts';
import { demoCommand } from './commands/demo.ts';
import { modelsCommand } from './commands/models.ts';
import { promoteCommand } from './commands/promote.ts';
import { rollbackCommand } from './commands/rollback.ts';
import { scoreCommand } from './commands/score.ts';
import { userCommand } from './commands/user.ts';

export function buildProgram(): Command {
  return new Command('vitals')
    .description('Vitals: self-hosted customer-health analytics')
    .showHelpAfterError()
    .addCommand(demoCommand())
    .addCommand(checkDataCommand())
    .addCommand(scoreCommand())
    .addCommand(backtestCommand())
    .addCommand(fitCommand())
    .addCommand(compareCommand())
    .addCommand(decomposeCommand())
    .addCommand(modelsCommand())
    .addCommand(promoteCommand())
    .addCommand(rollbackCommand())
    .addCommand(auditCommand())
    .addCommand(userCommand());
}

const program = buildProgram().exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.stderr.write(`vitals: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
