import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseModel } from '../../../lab/model/spec.ts';
import {
  getModel,
  listAudit,
  listBacktests,
  listModels,
  MODEL_STATUSES,
  openStateDatabase,
  resolveModelHash,
  saveModel,
  setStatus,
  SETTABLE_STATUSES,
  statusHistory,
  type ModelStatus,
  type OpenState,
  type SavedModel,
  type SettableStatus,
} from '../../../lab/registry/index.ts';

// Helpers shared by the registry verbs (models, promote, rollback, audit).

/** `--state DIR`: the state folder, whose database the server must not hold at the same time. */
export function stateOption(): Option {
  return new Option('--state <dir>', 'state folder (the server must not be running on it)').default(
    process.env.STATE_DIR ?? './state',
  );
}

/** `--by NAME`: who makes the change, by default the OS user running the command. */
export function byOption(): Option {
  return new Option('--by <name>', 'who makes the change (default: your OS user name)');
}

export function whoAmI(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** Opens the state folder, runs `work`, closes it. A running server's lock is a clear error. */
export async function withState<T>(
  stateDir: string,
  work: (state: OpenState) => Promise<T>,
  options: { mustExist?: boolean } = {},
): Promise<T> {
  const state = await openStateDatabase(stateDir, options);
  try {
    return await work(state);
  } finally {
    state.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Left-aligned columns with a header; `-` for empty cells. */
export function formatTable(header: string[], rows: (string | number | null)[][]): string {
  const cells = [
    header,
    ...rows.map((row) => row.map((cell) => (cell === null || cell === '' ? '-' : String(cell)))),
  ];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '),
    )
    .join('\n')
    .concat('\n');
}

export const short = (hash: string | null) => (hash === null ? null : hash.slice(0, 12));

function statusArgument(allowed: readonly string[]) {
  return (value: string) => {
    if (!allowed.includes(value)) {
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got "${value}"`);
    }
    return value;
  };
}

/** A saved model without its (long) spec, for listings. */
function summary(model: SavedModel) {
  return {
    hash: model.hash,
    name: model.name,
    status: model.status,
    derivedFrom: model.derivedFrom,
    createdAt: model.createdAt,
    createdBy: model.createdBy,
  };
}

export function modelsCommand(): Command {
  const models = new Command('models').description(
    'the model registry in STATE_DIR: list versions (default), show one, save one, set a status; each with --json',
  );
  models.addCommand(
    new Command('list')
      .description('list saved model versions with status, name, hash, derived from, created')
      .addOption(
        new Option('--status <status>', 'only models with this status').argParser(
          statusArgument(MODEL_STATUSES),
        ),
      )
      .addOption(stateOption())
      .option('--json', 'print the list as JSON')
      .action(async (options: { status?: ModelStatus; state: string; json?: boolean }) => {
        const list = await withState(
          options.state,
          ({ connection, schema }) => listModels(connection, schema, { status: options.status }),
          { mustExist: true },
        );
        if (options.json) return printJson(list.map(summary));
        if (list.length === 0) return void process.stdout.write('no saved models\n');
        process.stdout.write(
          formatTable(
            ['STATUS', 'NAME', 'HASH', 'DERIVED FROM', 'CREATED', 'BY'],
            list.map((m) => [
              m.status,
              m.name,
              short(m.hash),
              short(m.derivedFrom),
              m.createdAt,
              m.createdBy,
            ]),
          ),
        );
      }),
    { isDefault: true },
  );
  models.addCommand(
    new Command('show')
      .description(
        'show one model version: its spec, status history, stored backtests and audit entries',
      )
      .argument('<hash>', 'the model hash (a unique prefix of 4+ digits is enough)')
      .addOption(stateOption())
      .option('--json', 'print it as JSON')
      .action(async (prefix: string, options: { state: string; json?: boolean }) => {
        const shown = await withState(
          options.state,
          async ({ connection, schema }) => {
            const hash = await resolveModelHash(connection, schema, prefix);
            return {
              ...(await getModel(connection, schema, hash))!,
              statusHistory: await statusHistory(connection, schema, hash),
              backtests: await listBacktests(connection, schema, hash),
              audit: await listAudit(connection, schema, { hash }),
            };
          },
          { mustExist: true },
        );
        if (options.json) return printJson(shown);
        const lines = [
          `model ${shown.hash}`,
          `name          ${shown.name}`,
          `status        ${shown.status}`,
          `created       ${shown.createdAt} by ${shown.createdBy}`,
          `derived from  ${shown.derivedFrom ?? '-'}`,
          '',
          'status history:',
          ...shown.statusHistory.map(
            (s) => `  ${s.at}  ${s.status.padEnd(10)}  ${s.by}  ${s.reason}`,
          ),
          '',
          `stored backtests: ${shown.backtests.length}`,
          ...shown.backtests.map(
            (b) =>
              `  ${b.createdAt}  key ${short(b.key)}  data ${short(b.dataFingerprint)}  settings ${JSON.stringify(b.settings)}`,
          ),
          '',
          `audit entries: ${shown.audit.length}`,
          ...shown.audit.map(
            (a) =>
              `  #${a.seq}  ${a.at}  ${a.action}  ${short(a.fromHash) ?? '-'} -> ${short(a.toHash)}  by ${a.by}`,
          ),
          '',
          JSON.stringify(shown.model, null, 2),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
  );
  models.addCommand(
    new Command('save')
      .description(
        'save a model JSON file as a new immutable version (saving the same content again changes nothing)',
      )
      .argument('<file>', 'the model JSON file')
      .addOption(
        new Option('--status <status>', 'status of a new version')
          .choices(['draft', 'candidate'])
          .default('draft'),
      )
      .option('--derived-from <hash>', 'the saved model this one was derived from')
      .addOption(byOption())
      .addOption(stateOption())
      .option('--json', 'print the saved version as JSON')
      .action(
        async (
          file: string,
          options: {
            status: 'draft' | 'candidate';
            derivedFrom?: string;
            by?: string;
            state: string;
            json?: boolean;
          },
        ) => {
          const model = parseModel(await readFile(file, 'utf8'));
          const saved = await withState(options.state, async ({ connection, schema }) => {
            const derivedFrom = options.derivedFrom
              ? await resolveModelHash(connection, schema, options.derivedFrom)
              : null;
            return saveModel(connection, schema, model, {
              by: options.by ?? whoAmI(),
              derivedFrom,
              status: options.status,
              now: new Date(),
            });
          });
          if (options.json) return printJson({ ...summary(saved), created: saved.created });
          process.stdout.write(
            saved.created
              ? `saved ${saved.name} as ${saved.hash} (${saved.status})\n`
              : `already saved as ${saved.hash} (${saved.status}, since ${saved.createdAt}); nothing changed\n`,
          );
        },
      ),
  );
  models.addCommand(
    new Command('mark')
      .description(
        `set the status of a model that is not production (${SETTABLE_STATUSES.join(', ')})`,
      )
      .argument('<hash>', 'the model hash (a unique prefix is enough)')
      .argument('<status>', SETTABLE_STATUSES.join(' | '), statusArgument(SETTABLE_STATUSES))
      .option('--reason <text>', 'why')
      .addOption(byOption())
      .addOption(stateOption())
      .option('--json', 'print the model as JSON')
      .action(
        async (
          prefix: string,
          status: SettableStatus,
          options: { reason?: string; by?: string; state: string; json?: boolean },
        ) => {
          const saved = await withState(
            options.state,
            async ({ connection, schema }) => {
              const hash = await resolveModelHash(connection, schema, prefix);
              return setStatus(connection, schema, hash, status, {
                by: options.by ?? whoAmI(),
                reason: options.reason,
                now: new Date(),
              });
            },
            { mustExist: true },
          );
          if (options.json) return printJson(summary(saved));
          process.stdout.write(`${saved.hash} (${saved.name}) is now ${saved.status}\n`);
        },
      ),
  );
  return models;
}
