import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { openDatabase, sqlString } from '../../data/duckdb.ts';
import { ensureRegistry } from './schema.ts';

/** The state database's file name inside STATE_DIR. */
export const STATE_FILE = 'vitals.duckdb';

/** The schema name under which the state database is attached (as the server attaches it). */
export const STATE_SCHEMA = 'state';

/** The state database is held by another process, usually a running server. */
export class StateLockedError extends Error {
  readonly file: string;

  constructor(file: string, cause: unknown) {
    super(
      `the state database ${file} is in use by another process (is the Vitals server running on this state folder? stop it first, or make the change through the server)`,
      { cause },
    );
    this.name = 'StateLockedError';
    this.file = file;
  }
}

export interface OpenState {
  db: DuckDBInstance;
  connection: DuckDBConnection;
  schema: typeof STATE_SCHEMA;
  file: string;
  close(): void;
}

/**
 * Opens STATE_DIR/vitals.duckdb for a process that is not the server (the command line, tests):
 * an in-memory DuckDB with the state attached read-write as `state`, registry tables ensured.
 * DuckDB lets one process at a time hold the file; a held file is a `StateLockedError`.
 */
export async function openStateDatabase(
  stateDir: string,
  options: { mustExist?: boolean } = {},
): Promise<OpenState> {
  const file = path.resolve(stateDir, STATE_FILE);
  if (options.mustExist) {
    await access(file).catch(() => {
      throw new Error(`there is no state database at ${file}`);
    });
  } else {
    await mkdir(path.dirname(file), { recursive: true });
  }
  const db = await openDatabase();
  const connection = await db.connect();
  const close = () => {
    connection.closeSync();
    db.closeSync();
  };
  try {
    await connection.run(`ATTACH ${sqlString(file)} AS ${STATE_SCHEMA}`).catch((error: Error) => {
      throw /lock/i.test(error.message) ? new StateLockedError(file, error) : error;
    });
    await ensureRegistry(connection, STATE_SCHEMA);
  } catch (error) {
    close();
    throw error;
  }
  return { db, connection, schema: STATE_SCHEMA, file, close };
}
