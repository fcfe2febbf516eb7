import type { TableSpec } from './contract.ts';
import { sqlIdentifier } from './duckdb.ts';

/** How many offending rows a problem shows. */
export const SAMPLE_SIZE = 3;

/**
 * A struct of a row's contract columns, made JSON-safe where SQL does it best: dates as
 * `YYYY-MM-DD`, timestamps as ISO 8601 in UTC. Numbers are converted by `jsonRow`.
 */
export function sampleStruct(spec: TableSpec): string {
  const fields = spec.columns.map((column) => {
    const id = sqlIdentifier(column.name);
    const value =
      column.duckdbType === 'DATE'
        ? `CAST(${id} AS VARCHAR)`
        : column.duckdbType === 'TIMESTAMP'
          ? `strftime(${id}, '%Y-%m-%dT%H:%M:%S.%gZ')`
          : id;
    return `${id} := ${value}`;
  });
  return `struct_pack(${fields.join(', ')})`;
}

/**
 * A sampled row as JSON-safe values: BIGINT becomes a number when a double holds it exactly and a
 * decimal string otherwise; NaN and infinities, which JSON lacks, become strings.
 */
export function jsonRow(spec: TableSpec, row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    spec.columns.map((column) => [column.name, jsonValue(row[column.name] ?? null)]),
  );
}

function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const safe =
      value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER);
    return safe ? Number(value) : value.toString();
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
