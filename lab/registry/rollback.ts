import type { DuckDBConnection } from '@duckdb/node-api';
import { LabError } from '../errors.ts';
import { changeTransaction, requireBy, writeChange, type ChangeHooks } from './change.ts';
import { productionLog, type ProductionEntry } from './production.ts';
import { requireModel } from './registry.ts';

export interface RollbackResult {
  from: string;
  to: string;
  auditSeq: number;
  productionSeq: number;
}

/**
 * Production is a stack: promotion pushes, rollback pops, an initial entry starts over. The
 * rollback target is the entry below the top, so rolling back twice after two promotions
 * returns to the model before both (rollback never toggles between two models).
 */
export function productionStack(log: readonly ProductionEntry[]): string[] {
  const stack: string[] = [];
  for (const entry of log) {
    if (entry.action === 'initial') stack.splice(0, stack.length, entry.hash);
    else if (entry.action === 'promote') stack.push(entry.hash);
    else {
      stack.pop();
      if (stack.at(-1) !== entry.hash) stack.push(entry.hash);
    }
  }
  return stack;
}

/** What a rollback would do now: from the production model to the previous one, or null. */
export async function rollbackTarget(
  connection: DuckDBConnection,
  schema: string,
): Promise<{ from: string; to: string } | null> {
  const stack = productionStack(await productionLog(connection, schema));
  const from = stack.at(-1);
  const to = stack.at(-2);
  return from !== undefined && to !== undefined ? { from, to } : null;
}

/** Makes the previous production model production again, in one audited transaction. */
export async function rollback(
  connection: DuckDBConnection,
  schema: string,
  options: ChangeHooks & { by: string; reason?: string; now: Date },
): Promise<RollbackResult> {
  const by = requireBy(options.by);
  const reason = options.reason?.trim() ?? '';
  const result = await changeTransaction(connection, async (): Promise<RollbackResult> => {
    const target = await rollbackTarget(connection, schema);
    if (!target) {
      throw new LabError('invalid_request', 'there is no earlier production model to roll back to');
    }
    await requireModel(connection, schema, target.to);
    const written = await writeChange(
      connection,
      schema,
      {
        action: 'rollback',
        ...target,
        by,
        reason,
        gatePassed: null,
        overridden: false,
        figures: null,
        now: options.now,
      },
      options.onStep,
    );
    return { ...target, ...written };
  });
  await options.onStep?.('committed');
  options.log?.warn({ action: 'rollback', ...result, by, reason }, 'production rolled back');
  return result;
}
