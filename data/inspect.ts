import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnSpec } from './contract.ts';
import { absolutePath, parquetSource, type DiscoveredTable } from './discover.ts';
import { bigintToNumber, queryRows, sqlIdentifier, sqlString } from './duckdb.ts';
import { duckdbMessage, problem, singleFile, whereNote } from './problems.ts';
import { rawColumn } from './rules.ts';
import type { Problem } from './report.ts';
import { FAMILY_TYPES, castExpression, castMayFail, familyAccepts } from './type-families.ts';

export interface FoundColumn {
  name: string;
  type: string;
}

/** A discovered table after its files' schemas have been read and held against the contract. */
export interface InspectedTable {
  table: DiscoveredTable;
  /** Files DuckDB could open, relative to DATA_DIR. */
  readable: string[];
  /** Columns of the readable files read together (extra columns included), with their types. */
  columns: FoundColumn[];
  /** Schema problems: missing or ambiguous table, unreadable files, missing columns, wrong types. */
  problems: Problem[];
  /** Rows can be checked: every contract column is present and accepted in every readable file. */
  checkable: boolean;
  /** A view can be made: checkable, and every file of the table is readable. */
  viewable: boolean;
}

interface FileSchema {
  file: string;
  columns: Map<string, string>;
}

/** Reads the schema of every file of `table` (one footer read per file) and checks it. */
export async function inspectTable(
  connection: DuckDBConnection,
  dataDir: string,
  table: DiscoveredTable,
): Promise<InspectedTable> {
  const name = table.name;
  const result: InspectedTable = {
    table,
    readable: [],
    columns: [],
    problems: [],
    checkable: false,
    viewable: false,
  };
  if (table.layout === 'ambiguous') {
    const [first, second] = table.conflicting;
    result.problems.push(
      problem({
        code: 'ambiguous_table',
        table: name,
        message: `${name}: both ${first} and ${second} exist; keep one of them`,
      }),
    );
    return result;
  }
  if (table.layout === 'missing') {
    if (table.spec.required) {
      result.problems.push(
        problem({
          code: 'missing_table',
          table: name,
          message: `${name}: required table missing (expected ${name}.parquet or a folder ${name}/ of .parquet files)`,
        }),
      );
    }
    return result;
  }

  const paths = new Map(table.files.map((file) => [absolutePath(dataDir, file), file]));
  const schemas: FileSchema[] = [];
  for (const file of table.files) {
    try {
      schemas.push({ file, columns: await describe(connection, dataDir, [file], table.hive) });
    } catch (error) {
      result.problems.push(
        problem({
          code: 'unreadable_file',
          table: name,
          file,
          message: `${name}: ${file} cannot be read as Parquet: ${duckdbMessage(error, paths)}`,
        }),
      );
    }
  }
  result.readable = schemas.map((schema) => schema.file);
  if (schemas.length === 0) return result;

  const columnProblems = table.spec.columns.flatMap((column) => checkColumn(name, column, schemas));
  result.problems.push(...columnProblems);
  try {
    const together = await describe(connection, dataDir, result.readable, table.hive);
    result.columns = [...together].map(([column, type]) => ({ name: column, type }));
  } catch (error) {
    // Each file opens on its own but not together, e.g. a column whose types cannot be unified.
    result.problems.push(
      problem({
        code: 'unreadable_file',
        table: name,
        message: `${name}: the files cannot be read together: ${duckdbMessage(error, paths)}`,
      }),
    );
    return result;
  }
  result.checkable = columnProblems.length === 0;
  result.viewable = result.checkable && result.readable.length === table.files.length;
  return result;
}

async function describe(
  connection: DuckDBConnection,
  dataDir: string,
  files: readonly string[],
  hive: boolean,
): Promise<Map<string, string>> {
  const rows = await queryRows<{ column_name: string; column_type: string }>(
    connection,
    `DESCRIBE SELECT * FROM ${parquetSource(dataDir, files, { hive })}`,
  );
  return new Map(rows.map((row) => [row.column_name, row.column_type]));
}

function checkColumn(table: string, column: ColumnSpec, schemas: FileSchema[]): Problem[] {
  const missing = new Map<string, null>();
  const wrong = new Map<string, Map<string, null>>();
  for (const { file, columns } of schemas) {
    const type = columns.get(column.name);
    if (type === undefined) missing.set(file, null);
    else if (!familyAccepts(column.family, type)) {
      wrong.set(type, (wrong.get(type) ?? new Map<string, null>()).set(file, null));
    }
  }
  const problems: Problem[] = [];
  const label = `${table}.${column.name}`;
  if (missing.size > 0) {
    problems.push(
      problem({
        code: 'missing_column',
        table,
        column: column.name,
        file: singleFile(missing),
        message: `${label}: column missing${whereNote(missing, schemas.length)}`,
      }),
    );
  }
  for (const [type, files] of wrong) {
    problems.push(
      problem({
        code: 'wrong_type',
        table,
        column: column.name,
        file: singleFile(files),
        message: `${label}: found ${type}, expected the ${column.family} family (${FAMILY_TYPES[column.family]})${whereNote(files, schemas.length)}`,
      }),
    );
  }
  return problems;
}

/** Names of the bookkeeping columns `typedSelect` adds for the checks. */
export const FILE_COLUMN = '__vitals_file';
export const ROW_COLUMN = '__vitals_row';

/** The type DuckDB gives each contract column when reading the table's readable files together. */
export function foundTypes(inspected: InspectedTable): Map<string, string> {
  return new Map(inspected.columns.map((column) => [column.name, column.type]));
}

/** Contract columns whose cast to the canonical type can fail for some values. */
export function riskyColumns(inspected: InspectedTable): Set<string> {
  const types = foundTypes(inspected);
  return new Set(
    inspected.table.spec.columns
      .filter((column) => castMayFail(column, types.get(column.name) ?? column.duckdbType))
      .map((column) => column.name),
  );
}

/**
 * `SELECT` of the contract columns of a checkable table, each cast to its canonical type, from
 * its readable files; extra columns are left out. For the checks, `lineage` adds each row's file
 * path and row number in it, and `lenient` turns failing casts into NULLs (keeping the raw value
 * as `__vitals_raw_<name>` so that they can be counted).
 */
export function typedSelect(
  dataDir: string,
  inspected: InspectedTable,
  options: { lineage?: boolean; lenient?: boolean } = {},
): string {
  const types = foundTypes(inspected);
  const risky = options.lenient ? riskyColumns(inspected) : new Set<string>();
  const columns = inspected.table.spec.columns.flatMap((column) => {
    const found = types.get(column.name) ?? column.duckdbType;
    const typed = `${castExpression(column, found, risky.has(column.name))} AS ${sqlIdentifier(column.name)}`;
    if (!risky.has(column.name)) return [typed];
    return [typed, `${sqlIdentifier(column.name)} AS ${sqlIdentifier(rawColumn(column.name))}`];
  });
  if (options.lineage) {
    // file_row_number is a virtual column; a file column of that name would shadow it, which
    // would only reorder samples.
    columns.push(sqlIdentifier(FILE_COLUMN), `file_row_number AS ${sqlIdentifier(ROW_COLUMN)}`);
  }
  const source = parquetSource(dataDir, inspected.readable, {
    hive: inspected.table.hive,
    filenameColumn: options.lineage ? FILE_COLUMN : undefined,
  });
  return `SELECT ${columns.join(', ')} FROM ${source}`;
}

/** Row count from the files' footers, for tables whose rows cannot be checked. */
export async function footerRowCount(
  connection: DuckDBConnection,
  dataDir: string,
  files: readonly string[],
): Promise<number> {
  const list = files.map((file) => sqlString(absolutePath(dataDir, file))).join(', ');
  const [row] = await queryRows<{ rows: bigint | null }>(
    connection,
    `SELECT sum(num_rows)::BIGINT AS rows FROM parquet_file_metadata([${list}])`,
  );
  return bigintToNumber(row?.rows ?? 0n) ?? 0;
}
