import type { DuckDBConnection } from '@duckdb/node-api';
import { absolutePath } from './discover.ts';
import { bigintToNumber, queryRows, sqlIdentifier } from './duckdb.ts';
import {
  FILE_COLUMN,
  ROW_COLUMN,
  riskyColumns,
  typedSelect,
  type InspectedTable,
} from './inspect.ts';
import { plural, problem, singleFile, whereNote } from './problems.ts';
import type { Problem } from './report.ts';
import { KNOWN_ACCOUNT, SqlParams, rowRules, type RowRule } from './rules.ts';
import { SAMPLE_SIZE, jsonRow, sampleStruct } from './sample.ts';

export interface RowCheckResult {
  rows: number;
  minDate: string | null;
  maxDate: string | null;
  problems: Problem[];
}

export interface RowCheckContext {
  today: string;
  /** SQL selecting the distinct account ids of `accounts` as `__vitals_known`, if readable. */
  knownAccounts: string | null;
}

type Counts = Map<string, number>;

/**
 * Runs every row rule of a checkable table in one aggregate pass over its files, counting
 * offending rows per file; a second pass, only when something was found, fetches samples.
 */
export async function checkRows(
  connection: DuckDBConnection,
  dataDir: string,
  inspected: InspectedTable,
  context: RowCheckContext,
): Promise<RowCheckResult> {
  const { spec } = inspected.table;
  const params = new SqlParams();
  const joinsAccounts =
    context.knownAccounts !== null &&
    spec.name !== 'accounts' &&
    spec.columns.some((column) => column.name === 'account_id');
  const rules = rowRules(spec, {
    params,
    today: context.today,
    knownAccounts: joinsAccounts,
    lenientColumns: riskyColumns(inspected),
  });
  const known = joinsAccounts ? `, known AS (${context.knownAccounts})` : '';
  const prelude = `WITH t AS (${typedSelect(dataDir, inspected, { lineage: true, lenient: true })})${known}`;
  const from = joinsAccounts
    ? `t LEFT JOIN known ON t.${sqlIdentifier('account_id')} = known.${KNOWN_ACCOUNT}`
    : 't';
  const file = sqlIdentifier(FILE_COLUMN);
  const day = spec.dateColumn ? dayOf(inspected, spec.dateColumn) : 'NULL';
  const sql = `${prelude}
    SELECT ${file} AS file, count(*) AS rows,
      CAST(min(${day}) AS VARCHAR) AS min_date, CAST(max(${day}) AS VARCHAR) AS max_date,
      ${rules.map((rule, i) => `count(*) FILTER (WHERE ${rule.predicate}) AS r${i}`).join(',\n      ') || 'NULL AS r'}
    FROM ${from} GROUP BY ${file}`;
  const result = await queryRows<Record<string, unknown>>(connection, sql, params.usedBy(sql));

  // Per file, then added up here: GROUPING SETS for the totals made the pass a third slower.
  const files = fileNames(dataDir, inspected);
  const counts: Counts[] = rules.map(() => new Map());
  let rows = 0;
  const dates: string[] = [];
  for (const { name, row } of byFileName(result, files)) {
    rows += toNumber(row.rows);
    for (const date of [row.min_date, row.max_date]) if (typeof date === 'string') dates.push(date);
    rules.forEach((_, i) => {
      const n = toNumber(row[`r${i}`]);
      if (n > 0) counts[i]?.set(name, n);
    });
  }
  // ISO dates sort as strings.
  dates.sort();
  const failing = rules.flatMap((rule, i) => {
    const perFile = counts[i] ?? new Map<string, number>();
    return perFile.size > 0 ? [{ rule, perFile }] : [];
  });
  const samples = await sampleRows(connection, failing, {
    prelude,
    from,
    params,
    inspected,
    files,
  });

  const problems = failing.map(({ rule, perFile }, i) => {
    const n = [...perFile.values()].reduce((sum, count) => sum + count, 0);
    const sample = samples[i] ?? [];
    return problem({
      code: rule.code,
      severity: rule.severity(n, rows),
      table: spec.name,
      file: singleFile(perFile),
      column: rule.column,
      rows: n,
      message: `${spec.name}.${rule.column}: ${plural(n, 'row')} ${rule.describe(sample)}${whereNote(perFile, inspected.readable.length)}${rule.note?.(n, rows) ?? ''}`,
      sample,
    });
  });
  return {
    rows,
    minDate: dates[0] ?? null,
    maxDate: dates.at(-1) ?? null,
    problems,
  };
}

interface SampleContext {
  prelude: string;
  from: string;
  params: SqlParams;
  inspected: InspectedTable;
  files: Map<string, string>;
}

/** The first offending rows of each failing rule, by file and position in the file. */
async function sampleRows(
  connection: DuckDBConnection,
  failing: readonly { rule: RowRule }[],
  { prelude, from, params, inspected, files }: SampleContext,
): Promise<Record<string, unknown>[][]> {
  if (failing.length === 0) return [];
  const { spec } = inspected.table;
  const file = sqlIdentifier(FILE_COLUMN);
  const struct = sampleStruct(spec);
  const sql = `${prelude}
    SELECT ${file} AS file,
      ${failing.map(({ rule }, i) => `min_by(${struct}, ${sqlIdentifier(ROW_COLUMN)}, ${SAMPLE_SIZE}) FILTER (WHERE ${rule.predicate}) AS s${i}`).join(',\n      ')}
    FROM ${from} WHERE ${failing.map(({ rule }) => `(${rule.predicate})`).join(' OR ')}
    GROUP BY ${file}`;
  const result = await queryRows<Record<string, unknown>>(connection, sql, params.usedBy(sql));
  return failing.map((_, i) =>
    byFileName(result, files)
      .flatMap(({ row }) => (row[`s${i}`] as Record<string, unknown>[] | null) ?? [])
      .slice(0, SAMPLE_SIZE)
      .map((sampled) => jsonRow(spec, sampled)),
  );
}

/** Result rows with a `file` column, named relative to DATA_DIR and in the order of the names. */
function byFileName(result: Record<string, unknown>[], files: Map<string, string>) {
  return result
    .map((row) => ({ name: files.get(String(row.file)) ?? String(row.file), row }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Absolute path as DuckDB reports it -> path relative to DATA_DIR. */
export function fileNames(dataDir: string, inspected: InspectedTable): Map<string, string> {
  return new Map(inspected.readable.map((file) => [absolutePath(dataDir, file), file]));
}

function dayOf(inspected: InspectedTable, column: string): string {
  const spec = inspected.table.spec.columns.find((candidate) => candidate.name === column);
  const id = sqlIdentifier(column);
  return spec?.duckdbType === 'TIMESTAMP' ? `CAST(${id} AS DATE)` : id;
}

export function toNumber(value: unknown): number {
  if (typeof value === 'bigint') return bigintToNumber(value) ?? 0;
  return typeof value === 'number' ? value : 0;
}
