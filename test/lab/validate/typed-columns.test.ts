import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { openDatabase } from '../../../data/duckdb.ts';
import { readTypedColumns } from '../../../lab/validate/tables.ts';

let db: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  db = await openDatabase();
  connection = await db.connect();
});

afterAll(() => {
  connection.closeSync();
  db.closeSync();
});

// 5,000 rows span three result chunks of 2,048; every 7th value is NULL.
const SQL = `SELECT
  CASE WHEN i % 7 = 3 THEN NULL ELSE CAST(i AS DOUBLE) / 8 - 100 END AS x,
  CAST(i * 3 - 7000 AS INTEGER) AS k,
  CAST(i % 251 AS UTINYINT) AS u,
  CASE WHEN i % 7 = 3 THEN NULL ELSE CAST(i AS BIGINT) * 1000 END AS wide
FROM range(5000) t(i)
ORDER BY i`;

describe('readTypedColumns', () => {
  it('reads doubles, integers and bytes across chunks, by name, NULL as NaN', async () => {
    const { length, columns } = await readTypedColumns(
      connection,
      SQL,
      {},
      {
        wide: 'f64',
        x: 'f64',
        k: 'i32',
        u: 'u8',
      },
    );
    expect(length).toBe(5000);
    for (let i = 0; i < 5000; i++) {
      const missing = i % 7 === 3;
      expect(columns.x[i]).toBe(missing ? NaN : i / 8 - 100);
      expect(columns.k[i]).toBe(i * 3 - 7000);
      expect(columns.u[i]).toBe(i % 251);
      expect(columns.wide[i]).toBe(missing ? NaN : i * 1000);
    }
  });

  it('refuses a NULL in an integer column and a column the query lacks', async () => {
    const nullInteger = `SELECT CASE WHEN i = 4000 THEN NULL ELSE CAST(i AS INTEGER) END AS k
      FROM range(5000) t(i)`;
    await expect(readTypedColumns(connection, nullInteger, {}, { k: 'i32' })).rejects.toThrow(
      'readTypedColumns: NULL in integer column k',
    );
    await expect(readTypedColumns(connection, nullInteger, {}, { j: 'f64' })).rejects.toThrow(
      'readTypedColumns: the query has no column j',
    );
  });
});
