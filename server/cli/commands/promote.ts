import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { withConnection } from '../../../data/duckdb.ts';
import { defaultBacktestSettings } from '../../../lab/validate/index.ts';
import { openCheckedData } from '../dataset.ts';
import { todayUtc } from '../options.ts';
import { Command } from 'commander';
import { dataFingerprintDetails } from '../../../data/fingerprint.ts';
import {
  MIN_OVERRIDE_REASON,
  promote,
  resolveModelHash,
  type GateDecision,
  type PromotionResult,
} from '../../../lab/registry/index.ts';
import { byOption, printJson, short, stateOption, whoAmI, withState } from './models.ts';

interface PromoteOptions {
  data: string;
  settings?: string;
  overrideGate?: boolean;
  reason?: string;
  by?: string;
  state: string;
  json?: boolean;
}

/** Settings given inline as JSON or as a JSON file. */
async function readSettings(value: string): Promise<unknown> {
  const text = value.trim().startsWith('{') ? value : await readFile(value, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`--settings is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

export function promoteCommand(): Command {
  return new Command('promote')
    .description(
      'make a candidate model production in one audited step, if the gate passes: it needs a stored backtest on the current data with the current settings, with an AUC not worse than production beyond the interval; exit code 1 when the gate refuses',
    )
    .argument('<hash>', 'the model hash (a unique prefix is enough)')
    .option(
      '--data <dir>',
      'data folder the backtests must have run on',
      process.env.DATA_DIR ?? './data/demo',
    )
    .option(
      '--settings <file|json>',
      'the backtest settings the gate requires (a JSON file or inline JSON; default: the ones `backtest` uses by default)',
    )
    .option(
      '--override-gate',
      `promote even if the gate refuses (admin; needs --reason of ${MIN_OVERRIDE_REASON}+ characters)`,
    )
    .option('--reason <text>', 'why; recorded in the audit log')
    .addOption(byOption())
    .addOption(stateOption())
    .option('--json', 'print the result, with the gate decision and its figures, as JSON')
    .action(async (prefix: string, options: PromoteOptions) => {
      const dataDir = path.resolve(options.data);
      const fingerprint = await dataFingerprintDetails(dataDir);
      if (fingerprint.tables.length === 0) throw new Error(`${dataDir} holds no data tables`);
      // Without --settings, the same current settings `backtest` uses by default.
      const settings =
        options.settings === undefined
          ? await currentSettings(options.data)
          : await readSettings(options.settings);
      const result = await withState(
        options.state,
        async ({ connection, schema }) => {
          const hash = await resolveModelHash(connection, schema, prefix);
          return promote(connection, schema, hash, {
            dataFingerprint: fingerprint.hash,
            settings,
            by: options.by ?? whoAmI(),
            reason: options.reason,
            overrideGate: options.overrideGate,
            // Roles do not exist yet: whoever can open the state folder is its admin.
            asAdmin: true,
            now: new Date(),
          });
        },
        { mustExist: true },
      );
      if (options.json) printJson(result);
      else process.stdout.write(describe(result));
      if (!result.promoted) process.exitCode = 1;
    });
}

/**
 * The current backtest settings of the data (those `backtest` uses by default), or null when the
 * data cannot give them: then the gate has no settings to vouch for and refuses.
 */
async function currentSettings(dataDir: string) {
  try {
    const { db, tables } = await openCheckedData(dataDir, todayUtc());
    try {
      return await withConnection(db, (connection) => defaultBacktestSettings(connection, tables));
    } finally {
      db.closeSync();
    }
  } catch {
    // The gate then says that no settings were given, and refuses.
    return null;
  }
}

function gateLine(gate: GateDecision): string {
  return `gate ${gate.passed ? 'passed' : 'refused'} (${gate.rule}): ${gate.message}\n`;
}

function describe(result: PromotionResult): string {
  const gate = gateLine(result.gate);
  if (!result.promoted) {
    return `${gate}not promoted (audit #${result.auditSeq}); an admin may override with --override-gate --reason TEXT\n`;
  }
  const replacing = result.from ? `, replacing ${short(result.from)}` : '';
  const overridden = result.overridden ? ' (gate overridden)' : '';
  return `${gate}promoted ${short(result.to)} to production${replacing}${overridden} (audit #${result.auditSeq})\n`;
}
