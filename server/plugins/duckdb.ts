import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fp from 'fastify-plugin';
import { openDatabase, withConnection } from '../../data/duckdb.ts';

export interface DuckDB {
  instance: DuckDBInstance;
  /** Runs `fn` on a connection of its own: one per request, never shared. */
  withConnection<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T>;
}

declare module 'fastify' {
  interface FastifyInstance {
    duckdb: DuckDB;
  }
}

/** The embedded analytical database: views over DATA_DIR live here. */
export default fp(
  async (app) => {
    const instance = await openDatabase();
    app.decorate('duckdb', {
      instance,
      withConnection: <T>(fn: (connection: DuckDBConnection) => Promise<T>) =>
        withConnection(instance, fn),
    });
    app.addHook('onClose', async () => {
      instance.closeSync();
    });
  },
  { name: 'duckdb' },
);
