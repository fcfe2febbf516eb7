import {
  LIST,
  listValue,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';

/** Parameters of generated SQL: every value a query needs is bound, never spliced. */
export type SqlParams = Record<string, string | readonly string[]>;

/** Turns SqlParams into the values and explicit types that @duckdb/node-api binds. */
export function bindParams(params: SqlParams): {
  values: Record<string, DuckDBValue>;
  types: Record<string, DuckDBType>;
} {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string') {
      values[name] = value;
      types[name] = VARCHAR;
    } else {
      values[name] = listValue([...value]);
      types[name] = LIST(VARCHAR);
    }
  }
  return { values, types };
}

/** Runs generated SQL with its parameters and returns plain row objects. */
export async function runRows<T = Record<string, unknown>>(
  connection: DuckDBConnection,
  sql: string,
  params: SqlParams,
): Promise<T[]> {
  const { values, types } = bindParams(params);
  const reader = await connection.runAndReadAll(sql, values, types);
  return reader.getRowObjectsJS() as T[];
}

/** Runs generated SQL and returns its columns as arrays (cheaper than row objects for wide results). */
export async function runColumns(
  connection: DuckDBConnection,
  sql: string,
  params: SqlParams,
): Promise<{ length: number; columns: Record<string, unknown[]> }> {
  const { values, types } = bindParams(params);
  const reader = await connection.runAndReadAll(sql, values, types);
  return { length: reader.currentRowCount, columns: reader.getColumnsObjectJS() };
}

/** Runs a statement that returns nothing of interest (CREATE TABLE ... AS, DROP). */
export async function runStatement(
  connection: DuckDBConnection,
  sql: string,
  params: SqlParams = {},
): Promise<void> {
  const { values, types } = bindParams(params);
  await connection.run(sql, values, types);
}
