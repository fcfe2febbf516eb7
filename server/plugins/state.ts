import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import fp from 'fastify-plugin';
import { sqlString } from '../../data/duckdb.ts';
import { ensureHistory } from '../../lab/history/index.ts';
import { ensureRegistry } from '../../lab/registry/index.ts';

/** The schema name under which the state database is attached. */
export const STATE_SCHEMA = 'state';

declare module 'fastify' {
  interface FastifyInstance {
    state: { schema: typeof STATE_SCHEMA; file: string };
  }
}

/**
 * The state database (STATE_DIR/vitals.duckdb): score history, model registry and the rest of
 * what Vitals itself writes. It is attached to the same DuckDB instance as the data views so
 * that results move from a computation into history without leaving DuckDB. This process is its
 * only writer.
 */
export default fp<{ stateDir: string }>(
  async (app, { stateDir }) => {
    await mkdir(stateDir, { recursive: true });
    const file = path.join(stateDir, 'vitals.duckdb');
    await app.duckdb.withConnection(async (connection) => {
      await connection.run(`ATTACH ${sqlString(file)} AS ${STATE_SCHEMA}`);
      await ensureRegistry(connection, STATE_SCHEMA);
      await ensureHistory(connection, STATE_SCHEMA);
    });
    app.decorate('state', { schema: STATE_SCHEMA, file });
  },
  { name: 'state', dependencies: ['duckdb'] },
);
