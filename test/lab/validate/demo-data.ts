import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { TABLE_NAMES, type TableName } from '../../../data/contract.ts';
import { sqlString } from '../../../data/duckdb.ts';
import { generateDemo } from '../../../data/generator/generate.ts';
import { tempDir } from '../../helpers/parquet.ts';

/** Demo data written to a temp folder by the generator (removed by `cleanup`). */
export async function demoFolder(options: {
  accounts: number;
  days: number;
  seed: number;
  endDate: string;
}): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir('vitals-validate-');
  await generateDemo({ ...options, outDir: dir });
  return { dir, cleanup };
}

/**
 * Loads the demo tables into `connection` as tables (not views), so tests can add or remove rows.
 * `where` filters a table's rows and `select` replaces its select list.
 */
export async function loadDemoTables(
  connection: DuckDBConnection,
  dir: string,
  change: Partial<Record<TableName, { where?: string; select?: string }>> = {},
): Promise<TableName[]> {
  for (const table of TABLE_NAMES) {
    const file = sqlString(path.join(dir, `${table}.parquet`));
    const { where, select } = change[table] ?? {};
    await connection.run(
      `CREATE OR REPLACE TABLE ${table} AS SELECT ${select ?? '*'} FROM read_parquet(${file})${where ? ` WHERE ${where}` : ''}`,
    );
  }
  return [...TABLE_NAMES];
}
