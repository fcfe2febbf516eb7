import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import {
  checkData,
  createViews,
  openDatabase,
  withConnection,
  type DataReport,
  type TableName,
} from '../../data/index.ts';

export interface OpenedData {
  db: DuckDBInstance;
  report: DataReport;
  tables: TableName[];
}

/**
 * Opens a data folder for a command: checks it against the contract and creates the views.
 * Data with errors is refused with the problems listed, as the server refuses to score it.
 */
export async function openCheckedData(dir: string, today: string): Promise<OpenedData> {
  const dataDir = path.resolve(dir);
  const db = await openDatabase();
  const { report, tables } = await withConnection(db, async (connection) => {
    const checked = await checkData(connection, dataDir, { today });
    const created = await createViews(connection, dataDir);
    return { report: checked, tables: created.views.map((view) => view.table) };
  });
  if (!report.ok) {
    db.closeSync();
    const problems = report.problems
      .filter((problem) => problem.severity === 'error')
      .map((problem) => `  - ${problem.message}`)
      .join('\n');
    throw new Error(
      `${dataDir} has ${report.errors} data error(s); run check-data for details:\n${problems}`,
    );
  }
  return { db, report, tables };
}
