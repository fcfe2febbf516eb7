import type { ColumnFamily, ColumnSpec } from './contract.ts';
import { sqlIdentifier } from './duckdb.ts';

const INTEGER_TYPES = new Set([
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'HUGEINT',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
  'UBIGINT',
  'UHUGEINT',
]);
/** Integer types whose values may not fit the BIGINT of the views. */
const WIDE_INTEGER_TYPES = new Set(['UBIGINT', 'HUGEINT', 'UHUGEINT']);
const TIMESTAMP_TYPES = new Set([
  'TIMESTAMP',
  'TIMESTAMP_S',
  'TIMESTAMP_MS',
  'TIMESTAMP_NS',
  'TIMESTAMP WITH TIME ZONE',
]);

const isInteger = (type: string) => INTEGER_TYPES.has(type);
const isString = (type: string) => type === 'VARCHAR' || type.startsWith('ENUM(');
const isFloat = (type: string) =>
  type === 'FLOAT' || type === 'DOUBLE' || /^DECIMAL\(\d+,\d+\)$/.test(type);
const isTimestamp = (type: string) => TIMESTAMP_TYPES.has(type);

const ACCEPTS: Record<ColumnFamily, (type: string) => boolean> = {
  // UUID is an id by nature; exports from Postgres often carry it as such.
  id: (type) => isString(type) || isInteger(type) || type === 'UUID',
  string: isString,
  integer: isInteger,
  number: (type) => isInteger(type) || isFloat(type),
  date: (type) => type === 'DATE' || isTimestamp(type),
  timestamp: (type) => type === 'DATE' || isTimestamp(type),
};

/** What a family accepts, in words, for messages. */
export const FAMILY_TYPES: Record<ColumnFamily, string> = {
  id: 'VARCHAR, UUID or an integer type',
  string: 'VARCHAR',
  integer: 'an integer type',
  number: 'an integer, FLOAT, DOUBLE or DECIMAL',
  date: 'DATE or TIMESTAMP',
  timestamp: 'TIMESTAMP or DATE',
};

/** Whether a column of DuckDB type `type` (as DESCRIBE prints it) can serve `family`. */
export function familyAccepts(family: ColumnFamily, type: string): boolean {
  return ACCEPTS[family](type);
}

/**
 * The expression that turns a file column of type `found` into the contract's canonical type.
 * Time-zone-aware timestamps are read in UTC whatever the session's time zone. With `lenient`,
 * values that cannot be converted become NULL instead of failing the query (the checks count them).
 */
export function castExpression(column: ColumnSpec, found: string, lenient = false): string {
  const source =
    found === 'TIMESTAMP WITH TIME ZONE'
      ? `timezone('UTC', ${sqlIdentifier(column.name)})`
      : sqlIdentifier(column.name);
  if (found === column.duckdbType) return source;
  return `${lenient ? 'TRY_CAST' : 'CAST'}(${source} AS ${column.duckdbType})`;
}

/** Whether converting `found` to the column's canonical type can fail for some values. */
export function castMayFail(column: ColumnSpec, found: string): boolean {
  return column.duckdbType === 'BIGINT' && WIDE_INTEGER_TYPES.has(found);
}
