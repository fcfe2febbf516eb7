import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableName } from './contract.ts';
import { discoverTables } from './discover.ts';
import { sqlIdentifier } from './duckdb.ts';
import { inspectTable, typedSelect, type InspectedTable } from './inspect.ts';
import type { Problem } from './report.ts';

export {
  absolutePath,
  discoverTables,
  parquetSource,
  type DiscoveredTable,
  type SourceOptions,
  type TableLayout,
} from './discover.ts';
export { inspectTable, typedSelect, type FoundColumn, type InspectedTable } from './inspect.ts';

/** Reads the schema of every present table's files and holds it against the contract. */
export async function inspectTables(
  connection: DuckDBConnection,
  dataDir: string,
): Promise<InspectedTable[]> {
  const inspected: InspectedTable[] = [];
  // One connection runs one query at a time: tables are inspected in turn.
  for (const table of await discoverTables(dataDir)) {
    inspected.push(await inspectTable(connection, dataDir, table));
  }
  return inspected;
}

export interface CreatedView {
  table: TableName;
  /** The files the view reads, relative to DATA_DIR. */
  files: string[];
  hive: boolean;
}

export interface CreateViewsResult {
  views: CreatedView[];
  /** Why tables got no view: missing or ambiguous tables, unreadable files, columns, types. */
  problems: Problem[];
}

/**
 * Creates one view per usable table, named as the table, in the connection's current schema:
 * the contract columns only, each cast to its canonical type (ids VARCHAR, integers BIGINT,
 * numbers DOUBLE, dates DATE, timestamps TIMESTAMP). A table whose files cannot all be read, or
 * whose columns are missing or of the wrong type, gets no view, and a view left from an earlier
 * call is dropped, so that queries fail loudly instead of reading stale or partial data.
 * The views read the files found now; call again after DATA_DIR changes. All views change in one
 * transaction, so a concurrent reader sees the old set or the new one.
 *
 * Rows are not checked here; `checkData` does that and says whether the data may be scored.
 */
export async function createViews(
  connection: DuckDBConnection,
  dataDir: string,
): Promise<CreateViewsResult> {
  const inspected = await inspectTables(connection, dataDir);
  const statements = inspected.map((entry) => {
    const view = sqlIdentifier(entry.table.name);
    return entry.viewable
      ? `CREATE OR REPLACE VIEW ${view} AS ${typedSelect(dataDir, entry)}`
      : `DROP VIEW IF EXISTS ${view}`;
  });
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const statement of statements) await connection.run(statement);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
  return {
    views: inspected
      .filter(({ viewable }) => viewable)
      .map(({ table }) => ({ table: table.name, files: table.files, hive: table.hive })),
    problems: inspected.flatMap(({ problems }) => problems),
  };
}
