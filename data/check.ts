import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { inspectTables } from './dataset.ts';
import { absolutePath, parquetSource } from './discover.ts';
import { queryRows, sqlIdentifier, withConnection } from './duckdb.ts';
import { checkDuplicates } from './duplicates.ts';
import { footerRowCount, type InspectedTable } from './inspect.ts';
import { duckdbMessage, problem } from './problems.ts';
import { dataReportSchema, type DataReport, type Problem, type TableStatus } from './report.ts';
import { checkRows, fileNames } from './row-checks.ts';
import { KNOWN_ACCOUNT } from './rules.ts';
import { castExpression } from './type-families.ts';

export interface CheckOptions {
  /** The day after which dates count as in the future, as YYYY-MM-DD. */
  today: string;
  /** The clock for `checkedAt`. */
  now?: () => Date;
}

/**
 * Checks DATA_DIR against the contract and reports, per table, what is there and every problem
 * found, with the file, column, row count and a sample of offending rows. Each table costs a
 * footer read per file, one aggregate pass over its files for all row rules, and one sort for its
 * key; samples are fetched only when something is wrong. Errors block scoring (`ok: false`);
 * warnings do not. A corrupt page is found only if the checks read it; its file is then named.
 */
export async function checkData(
  target: DuckDBInstance | DuckDBConnection,
  dataDir: string,
  options: CheckOptions,
): Promise<DataReport> {
  if (!isIsoDate(options.today)) {
    throw new Error(`checkData: today must be a date as YYYY-MM-DD, got ${options.today}`);
  }
  if (target instanceof DuckDBInstance) {
    return withConnection(target, (connection) => checkData(connection, dataDir, options));
  }
  const connection = target;
  const inspected = await inspectTables(connection, dataDir);
  const knownAccounts = knownAccountsSql(dataDir, inspected);
  const tables: TableStatus[] = [];
  const problems: Problem[] = [];
  for (const entry of inspected) {
    const checked = await checkTable(connection, dataDir, entry, {
      today: options.today,
      knownAccounts,
    });
    tables.push(checked.status);
    problems.push(...checked.problems);
  }
  const errors = problems.filter((found) => found.severity === 'error').length;
  return dataReportSchema.parse({
    dataDir: path.resolve(dataDir),
    checkedAt: (options.now?.() ?? new Date()).toISOString(),
    ok: errors === 0,
    errors,
    warnings: problems.length - errors,
    tables,
    problems,
  });
}

async function checkTable(
  connection: DuckDBConnection,
  dataDir: string,
  inspected: InspectedTable,
  context: { today: string; knownAccounts: string | null },
): Promise<{ status: TableStatus; problems: Problem[] }> {
  const { table } = inspected;
  const problems = [...inspected.problems];
  const status: TableStatus = {
    name: table.name,
    required: table.spec.required,
    present: table.layout !== 'missing',
    files: table.layout === 'ambiguous' ? table.conflicting : table.files,
    rows: null,
    dateColumn: table.spec.dateColumn,
    minDate: null,
    maxDate: null,
    columns: inspected.columns,
  };
  if (inspected.checkable) {
    const checked = await checkRowsAndKeys(connection, dataDir, inspected, context);
    problems.push(...checked.problems);
    Object.assign(status, checked.stats);
  } else if (table.files.length > 0 && inspected.readable.length === table.files.length) {
    status.rows = await footerRowCount(connection, dataDir, table.files);
  }
  if (table.spec.required && status.rows === 0) {
    problems.push(
      problem({
        code: 'empty_table',
        table: table.name,
        rows: 0,
        message: `${table.name}: required table has no rows`,
      }),
    );
  }
  return { status, problems };
}

interface RowsChecked {
  stats: Pick<TableStatus, 'rows' | 'minDate' | 'maxDate'>;
  problems: Problem[];
}

async function checkRowsAndKeys(
  connection: DuckDBConnection,
  dataDir: string,
  inspected: InspectedTable,
  context: { today: string; knownAccounts: string | null },
): Promise<RowsChecked> {
  const run = async (files: InspectedTable): Promise<RowsChecked> => {
    const rows = await checkRows(connection, dataDir, files, context);
    const duplicates = await checkDuplicates(connection, dataDir, files);
    return {
      stats: { rows: rows.rows, minDate: rows.minDate, maxDate: rows.maxDate },
      problems: [...rows.problems, ...(duplicates ? [duplicates] : [])],
    };
  };
  const failed = (error: unknown, earlier: Problem[] = []): RowsChecked => ({
    stats: { rows: null, minDate: null, maxDate: null },
    problems: [
      ...earlier,
      problem({
        code: 'unreadable_file',
        table: inspected.table.name,
        message: `${inspected.table.name}: the rows could not be checked: ${duckdbMessage(error, fileNames(dataDir, inspected))}`,
      }),
    ],
  });
  try {
    return await run(inspected);
  } catch (error) {
    const scan = await findFilesThatFailToScan(connection, dataDir, inspected);
    if (scan.problems.length === 0) return failed(error);
    const unchecked = {
      stats: { rows: null, minDate: null, maxDate: null },
      problems: scan.problems,
    };
    if (scan.readable.length === 0) return unchecked;
    // Check the other files, so that one bad file does not hide their problems.
    try {
      const rest = await run({ ...inspected, readable: scan.readable });
      return { stats: rest.stats, problems: [...scan.problems, ...rest.problems] };
    } catch (again) {
      return failed(again, scan.problems);
    }
  }
}

/**
 * A file whose footer reads fine can still fail when its pages are read (a corrupt page, a bad
 * compression block). When the checks fail, each file is scanned alone to name the culprits.
 */
async function findFilesThatFailToScan(
  connection: DuckDBConnection,
  dataDir: string,
  inspected: InspectedTable,
): Promise<{ readable: string[]; problems: Problem[] }> {
  const { table } = inspected;
  const scan = (files: readonly string[]) => {
    const source = parquetSource(dataDir, files, { hive: table.hive });
    // count(column) would be answered from the footer's statistics; hashing reads every value.
    const reads = table.spec.columns.map(
      (column) => `bit_xor(hash(${sqlIdentifier(column.name)}))`,
    );
    return queryRows(connection, `SELECT ${reads.join(', ')} FROM ${source}`);
  };
  const readable: string[] = [];
  const problems: Problem[] = [];
  for (const file of inspected.readable) {
    try {
      await scan([file]);
      readable.push(file);
    } catch (error) {
      const paths = new Map([[absolutePath(dataDir, file), file]]);
      problems.push(
        problem({
          code: 'unreadable_file',
          table: table.name,
          file,
          message: `${table.name}: ${file} cannot be read as Parquet: ${duckdbMessage(error, paths)}`,
        }),
      );
    }
  }
  return { readable, problems };
}

/** The distinct account ids of `accounts` for the orphan checks, when they can be read. */
function knownAccountsSql(dataDir: string, inspected: readonly InspectedTable[]): string | null {
  const accounts = inspected.find((entry) => entry.table.name === 'accounts');
  const column = accounts?.table.spec.columns.find((spec) => spec.name === 'account_id');
  const found = accounts?.columns.find((entry) => entry.name === 'account_id');
  const blocked = accounts?.problems.some(
    (entry) => entry.column === 'account_id' || entry.code === 'unreadable_file',
  );
  if (!accounts || !column || !found || blocked || accounts.readable.length === 0) return null;
  const source = parquetSource(dataDir, accounts.readable, { hive: accounts.table.hive });
  return `SELECT DISTINCT ${castExpression(column, found.type, true)} AS ${KNOWN_ACCOUNT} FROM ${source}`;
}

function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}
