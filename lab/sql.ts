import { LabError } from './errors.ts';

/**
 * A number from a validated spec as a SQL DOUBLE literal. Only finite numbers pass, so nothing
 * but a number can reach the SQL text. Non-integers get an exponent (`0.35e0`) so that DuckDB reads
 * a DOUBLE equal to the JS number rather than a DECIMAL; negatives are parenthesised so that
 * `x - -1` never becomes the comment `x--1`.
 */
export function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const text = String(value);
  const literal = Number.isSafeInteger(value) || text.includes('e') ? text : `${text}e0`;
  return value < 0 ? `(${literal})` : literal;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Checks that every string is a real calendar date written YYYY-MM-DD. */
export function assertIsoDates(dates: readonly string[], what = 'asOf'): void {
  if (dates.length === 0)
    throw new LabError('invalid_request', `${what}: at least one date is needed`);
  for (const date of dates) {
    const match = ISO_DATE.exec(date);
    const parsed = match ? new Date(`${date}T00:00:00Z`) : null;
    if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
      throw new LabError('invalid_request', `${what}: "${date}" is not a date written YYYY-MM-DD`);
    }
  }
}

/** Table names for results: plain identifiers only, optionally schema-qualified (`temp.scores`). */
export function assertTableName(name: string): void {
  if (!/^([A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new LabError(
      'invalid_request',
      `"${name}" is not a plain table name ([A-Za-z_][A-Za-z0-9_]*)`,
    );
  }
}

/** Quotes a validated (possibly schema-qualified) table name. */
export function quoteTableName(name: string): string {
  assertTableName(name);
  return name
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}
