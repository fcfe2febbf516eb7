import fp from 'fastify-plugin';
import { checkData, createViews } from '../../data/index.ts';
import type { DataReport } from '../../data/report.ts';

export interface DataState {
  /** The latest check of DATA_DIR. */
  readonly report: DataReport;
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
    const refresh = async () => {
      const today = clock().toISOString().slice(0, 10);
      const next = await app.duckdb.withConnection(async (connection) => {
        const checked = await checkData(connection, dataDir, { today });
        await createViews(connection, dataDir);
        return checked;
      });
      report = next;
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
      refresh,
    });
  },
  { name: 'data', dependencies: ['duckdb'] },
);
