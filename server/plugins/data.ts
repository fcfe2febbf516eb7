import fp from 'fastify-plugin';
import { checkData, createViews } from '../../data/index.ts';
import type { TableName } from '../../data/contract.ts';
import type { DataReport } from '../../data/report.ts';

export interface DataState {
  /** The latest check of DATA_DIR. */
  readonly report: DataReport;
  /** The tables that have a view now (present and structurally sound). */
  readonly tables: readonly TableName[];
  /** Counts the checks: what was read from the views before a change may be out of date. */
  readonly version: number;
  /** Checks DATA_DIR again and rebuilds the views over it. */
  refresh(): Promise<DataReport>;
}

declare module 'fastify' {
  interface FastifyInstance {
    data: DataState;
  }
}

export interface DataPluginOptions {
  dataDir: string;
  clock: () => Date;
}

/** Checks DATA_DIR against the contract and keeps one view per table in DuckDB. */
export default fp<DataPluginOptions>(
  async (app, { dataDir, clock }) => {
    let report: DataReport;
    let tables: TableName[] = [];
    let version = 0;
    const refresh = async () => {
      const today = clock().toISOString().slice(0, 10);
      const next = await app.duckdb.withConnection(async (connection) => {
        const checked = await checkData(connection, dataDir, { today });
        const created = await createViews(connection, dataDir);
        tables = created.views.map((view) => view.table);
        return checked;
      });
      report = next;
      version++;
      app.log.info(
        { dataDir, ok: next.ok, errors: next.errors, warnings: next.warnings },
        'data checked',
      );
      return next;
    };
    report = await refresh();
    app.decorate('data', {
      get report() {
        return report;
      },
      get tables() {
        return tables;
      },
      get version() {
        return version;
      },
      refresh,
    });
  },
  { name: 'data', dependencies: ['duckdb'] },
);
