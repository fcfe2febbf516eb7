import type { ColumnSpec, TableSpec } from './contract.ts';
import { sqlIdentifier } from './duckdb.ts';
import type { Severity } from './problems.ts';
import type { ProblemCode } from './report.ts';

/** Share of a table's rows that may reference unknown accounts before it becomes an error. */
export const ORPHAN_WARNING_SHARE = 0.01;

/**
 * A check on single rows: `predicate` is SQL over the typed columns that is true for an
 * offending row. All rules of a table are counted in one pass over its files.
 */
export interface RowRule {
  code: ProblemCode;
  column: string;
  predicate: string;
  /** The offending rows after their count, e.g. `outside 1-5`; may quote the sample. */
  describe: (sample: readonly Record<string, unknown>[]) => string;
  severity: (rows: number, total: number) => Severity;
  /** Said after the files, e.g. the rule that decided the severity. */
  note?: (rows: number, total: number) => string;
}

/** Collects bound parameters for generated SQL; values never appear in the SQL text. */
export class SqlParams {
  readonly values: Record<string, string | number> = {};
  #next = 0;

  bind(value: string | number): string {
    const name = `p${this.#next++}`;
    this.values[name] = value;
    return `$${name}`;
  }

  /** The values a statement uses: DuckDB refuses values for parameters it does not have. */
  usedBy(sql: string): Record<string, string | number> {
    return Object.fromEntries(
      Object.entries(this.values).filter(([name]) => new RegExp(`\\$${name}\\b`).test(sql)),
    );
  }
}

export interface RuleContext {
  params: SqlParams;
  today: string;
  /** Whether rows carry `__vitals_known`: the matching account id of `accounts`, or NULL. */
  knownAccounts: boolean;
  /** Columns read with a lenient cast, whose raw value is kept as `__vitals_raw_<name>`. */
  lenientColumns: ReadonlySet<string>;
}

export const KNOWN_ACCOUNT = '__vitals_known';
export const rawColumn = (name: string) => `__vitals_raw_${name}`;

const always = (severity: Severity) => (): Severity => severity;
const fixed = (text: string) => () => text;

/** The row rules for one table, from its contract. */
export function rowRules(spec: TableSpec, context: RuleContext): RowRule[] {
  const rules = spec.columns.flatMap((column) =>
    [
      ...valueRules(column, context),
      ...rangeRules(spec, column, context.params),
      ...futureRules(column, context),
      ...orphanRules(spec, column, context),
    ].map((rule) => ({ ...rule, column: column.name })),
  );
  for (const { earlier, later } of spec.dateOrder ?? []) {
    rules.push({
      code: 'inconsistent_dates',
      column: later,
      predicate: `${sqlIdentifier(later)} < ${sqlIdentifier(earlier)}`,
      describe: fixed(`before ${earlier}`),
      severity: always('warning'),
    });
  }
  return rules;
}

type ColumnRule = Omit<RowRule, 'column'>;

const error = (
  code: ProblemCode,
  predicate: string,
  describe: RowRule['describe'],
): ColumnRule => ({ code, predicate, describe, severity: always('error') });

/** Values that cannot be converted, nulls where none are allowed, unknown categories. */
function valueRules(column: ColumnSpec, { params, lenientColumns }: RuleContext): ColumnRule[] {
  const id = sqlIdentifier(column.name);
  const rules: ColumnRule[] = [];
  // A value too large for the canonical type reads as NULL; it is counted as too large, not null.
  const raw = lenientColumns.has(column.name) ? sqlIdentifier(rawColumn(column.name)) : id;
  if (raw !== id) {
    const tooLarge = fixed(`too large for ${column.duckdbType}`);
    rules.push(error('out_of_range', `${raw} IS NOT NULL AND ${id} IS NULL`, tooLarge));
  }
  if (!column.nullable) {
    rules.push(error('null_value', `${raw} IS NULL`, fixed('are null (required column)')));
  }
  if (column.values) {
    const allowed = column.values;
    const list = allowed.map((value) => params.bind(value)).join(', ');
    rules.push(
      error('unknown_value', `${id} NOT IN (${list})`, (sample) => {
        const found = [...new Set(sample.map((row) => JSON.stringify(row[column.name])))];
        return `with a value other than ${allowed.join(', ')} (e.g. ${found.join(', ')})`;
      }),
    );
  }
  return rules;
}

/**
 * Numbers outside the contract's range. A conditional range (survey scores by kind) judges the
 * rows it covers instead of the column's own range; NaN and infinities get a rule of their own.
 */
function rangeRules(spec: TableSpec, column: ColumnSpec, params: SqlParams): ColumnRule[] {
  const rules: ColumnRule[] = [];
  if (column.duckdbType === 'DOUBLE') {
    const id = sqlIdentifier(column.name);
    rules.push(error('out_of_range', `NOT isfinite(${id})`, fixed('are NaN or infinite')));
  }
  const conditional = (spec.conditionalRanges ?? []).filter(
    (range) => range.column === column.name,
  );
  for (const { when, min, max } of conditional) {
    const where = `${sqlIdentifier(when.column)} = ${params.bind(when.equals)}`;
    const text = `${rangeText(min, max)} where ${when.column} = '${when.equals}'`;
    rules.push(
      error('out_of_range', `${where} AND ${outside(column, min, max, params)}`, fixed(text)),
    );
  }
  if (column.min !== undefined || column.max !== undefined) {
    const uncovered = [...new Set(conditional.map((range) => range.when.column))].map((other) => {
      const values = conditional
        .filter((range) => range.when.column === other)
        .map((range) => params.bind(range.when.equals));
      const id = sqlIdentifier(other);
      return `(${id} IS NULL OR ${id} NOT IN (${values.join(', ')})) AND `;
    });
    const predicate = `${uncovered.join('')}${outside(column, column.min, column.max, params)}`;
    rules.push(error('out_of_range', predicate, fixed(rangeText(column.min, column.max))));
  }
  return rules;
}

/** Dates after today, by calendar day: a timestamp later today is not in the future. */
function futureRules(column: ColumnSpec, { params, today }: RuleContext): ColumnRule[] {
  if ((column.family !== 'date' && column.family !== 'timestamp') || column.mayBeFuture) return [];
  const id = sqlIdentifier(column.name);
  const day = column.duckdbType === 'DATE' ? id : `CAST(${id} AS DATE)`;
  const predicate = `${day} > CAST(${params.bind(today)} AS DATE)`;
  return [error('future_date', predicate, fixed(`after today (${today})`))];
}

/** Account ids missing from `accounts`: a warning while rare, an error beyond that. */
function orphanRules(spec: TableSpec, column: ColumnSpec, context: RuleContext): ColumnRule[] {
  if (column.name !== 'account_id' || spec.name === 'accounts' || !context.knownAccounts) {
    return [];
  }
  return [
    {
      code: 'unknown_account',
      predicate: `${sqlIdentifier(column.name)} IS NOT NULL AND ${KNOWN_ACCOUNT} IS NULL`,
      describe: fixed('reference accounts that are not in accounts'),
      severity: (rows, total) => (rows <= total * ORPHAN_WARNING_SHARE ? 'warning' : 'error'),
      note: (rows, total) =>
        `: ${percent(rows, total)} of ${total.toLocaleString('en-US')} rows; up to ${percent(ORPHAN_WARNING_SHARE, 1)} is a warning, more is an error`,
    },
  ];
}

function outside(
  column: ColumnSpec,
  min: number | undefined,
  max: number | undefined,
  params: SqlParams,
): string {
  const id = sqlIdentifier(column.name);
  const tests = [];
  if (min !== undefined) tests.push(`${id} < ${params.bind(min)}`);
  if (max !== undefined) tests.push(`${id} > ${params.bind(max)}`);
  // NaN sorts above every number in DuckDB; it has a rule of its own.
  const finite = column.duckdbType === 'DOUBLE' ? `isfinite(${id}) AND ` : '';
  return `(${finite}(${tests.join(' OR ')}))`;
}

function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `outside ${min}-${max}`;
  return min !== undefined ? `below ${min}` : `above ${max}`;
}

function percent(part: number, whole: number): string {
  const share = whole === 0 ? 0 : (part / whole) * 100;
  return `${Number(share.toPrecision(2))}%`;
}
