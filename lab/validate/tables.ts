import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { bindParams, runStatement, type SqlParams } from '../run.ts';

/**
 * The temp tables of one run, named uniquely (so that runs on one connection, one after the
 * other, never collide) and dropped together at the end, whatever happened.
 */
export class RunTables {
  private readonly prefix = `vitals_run_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  private readonly created: string[] = [];

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly log?: StageLog,
    private readonly progress?: Progress,
  ) {}

  /**
   * Runs one stage of the work and reports how long it took to the run's log, if any. The stage
   * is reported to `progress` as it starts (0 of 1) and ends; `fn` may report finer steps with
   * `tick(done, total)` (dates of metrics, bootstrap resamples).
   */
  async stage<T>(
    name: string,
    fn: (tick: (done: number, total: number) => void) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const progress = this.progress;
    progress?.({ stage: name, done: 0, total: 1 });
    const result = await fn((done, total) => progress?.({ stage: name, done, total }));
    const seconds = (performance.now() - started) / 1000;
    progress?.({ stage: name, done: 1, total: 1, seconds });
    this.log?.({ stage: name, seconds });
    return result;
  }

  /** A fresh table name for `kind` (a plain identifier), recorded for dropAll. */
  name(kind: string): string {
    const name = `${this.prefix}_${kind}`;
    this.created.push(name);
    return name;
  }

  async dropAll(): Promise<void> {
    for (const name of this.created.splice(0).reverse()) {
      await runStatement(this.connection, `DROP TABLE IF EXISTS ${name}`);
    }
  }
}

/** Where a run reports its stages (for the CLI's --verbose and the benchmarks). */
export type StageLog = (event: { stage: string; seconds: number }) => void;

/**
 * Where a long run reports how far it is (for progress bars): `done` of `total` steps of `stage`;
 * a stage starts at 0 of 1 and ends with `seconds`, and may report steps in between.
 */
export type Progress = (event: {
  stage: string;
  done: number;
  total: number;
  seconds?: number;
}) => void;

/** Runs `fn` with a RunTables and drops its tables afterwards. */
export async function withRunTables<T>(
  connection: DuckDBConnection,
  fn: (tables: RunTables) => Promise<T>,
  log?: StageLog,
  progress?: Progress,
): Promise<T> {
  const tables = new RunTables(connection, log, progress);
  try {
    return await fn(tables);
  } finally {
    await tables.dropAll();
  }
}

export type ColumnKind = 'f64' | 'i32' | 'u8';
type ArrayOf<K extends ColumnKind> = K extends 'f64'
  ? Float64Array
  : K extends 'i32'
    ? Int32Array
    : Uint8Array;

/**
 * Reads a query's columns straight into typed arrays, without row objects: what the statistics
 * need from hundreds of thousands of rows. Columns are read by name; NULL becomes NaN in a
 * `f64` column and is an error elsewhere (the SQL must coalesce).
 */
export async function readTypedColumns<S extends Record<string, ColumnKind>>(
  connection: DuckDBConnection,
  sql: string,
  params: SqlParams,
  spec: S,
): Promise<{ length: number; columns: { [K in keyof S]: ArrayOf<S[K]> } }> {
  const { values, types } = bindParams(params);
  const result = await connection.run(sql, values, types);
  const length = result.rowCount;
  const names = Object.keys(spec);
  const indices = names.map((name) => {
    const index = result.columnNames().indexOf(name);
    if (index < 0) throw new Error(`readTypedColumns: the query has no column ${name}`);
    return index;
  });
  const arrays = names.map((name) => {
    const kind = spec[name]!;
    return kind === 'f64'
      ? new Float64Array(length)
      : kind === 'i32'
        ? new Int32Array(length)
        : new Uint8Array(length);
  });
  let offset = 0;
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const rows = chunk.rowCount;
    names.forEach((name, k) => {
      const vector = chunk.getColumnVector(indices[k]!);
      const target = arrays[k]!;
      const float = spec[name] === 'f64';
      for (let i = 0; i < rows; i++) {
        const value = vector.getItem(i);
        if (value === null) {
          if (!float) throw new Error(`readTypedColumns: NULL in integer column ${name}`);
          target[offset + i] = NaN;
        } else {
          target[offset + i] = Number(value);
        }
      }
    });
    offset += rows;
  }
  const columns = Object.fromEntries(names.map((name, k) => [name, arrays[k]]));
  return { length, columns: columns as { [K in keyof S]: ArrayOf<S[K]> } };
}
