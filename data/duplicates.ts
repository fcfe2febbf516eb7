import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, sqlIdentifier } from './duckdb.ts';
import { FILE_COLUMN, ROW_COLUMN, typedSelect, type InspectedTable } from './inspect.ts';
import { plural, problem, singleFile, whereNote } from './problems.ts';
import type { Problem } from './report.ts';
import { fileNames, toNumber } from './row-checks.ts';
import { SAMPLE_SIZE, jsonRow, sampleStruct } from './sample.ts';

/**
 * Finds rows that share the table's key. It sorts a 64-bit hash of every key and compares
 * neighbours: on 36M rows that is about twice as fast as a hash aggregate over the keys and needs
 * half the memory, because almost every key is unique. Only rows whose hash repeats are then held,
 * grouped by their real key (so a hash collision is never reported), counted by file and sampled.
 * Rows with a null key part are left to the null check. The sample shows duplicated rows
 * together, ordered by key.
 */
export async function checkDuplicates(
  connection: DuckDBConnection,
  dataDir: string,
  inspected: InspectedTable,
): Promise<Problem | null> {
  const { spec } = inspected.table;
  if (spec.key.length === 0) return null;
  const key = spec.key.map(sqlIdentifier);
  const file = sqlIdentifier(FILE_COLUMN);
  // NOT MATERIALIZED: DuckDB would otherwise keep every row of a CTE used twice in memory.
  // One statement, so that the costly sort runs once whether or not there are duplicates.
  const [result] = await queryRows<{
    keys: bigint;
    files: { file: string; n: bigint }[] | null;
    sample: Record<string, unknown>[] | null;
  }>(
    connection,
    `WITH keyed AS NOT MATERIALIZED (
      SELECT *, hash(${key.join(', ')}) AS __vitals_hash
      FROM (${typedSelect(dataDir, inspected, { lineage: true, lenient: true })})
      WHERE ${key.map((part) => `${part} IS NOT NULL`).join(' AND ')}
    ),
    candidates AS MATERIALIZED (
      SELECT DISTINCT __vitals_hash FROM (
        SELECT __vitals_hash, lag(__vitals_hash) OVER (ORDER BY __vitals_hash) AS previous
        FROM keyed
      ) WHERE __vitals_hash = previous
    ),
    offending AS MATERIALIZED (
      SELECT * FROM (
        SELECT *, count(*) OVER (PARTITION BY ${key.join(', ')}) AS __vitals_copies
        FROM keyed WHERE __vitals_hash IN (SELECT __vitals_hash FROM candidates)
      ) WHERE __vitals_copies > 1
    )
    SELECT
      (SELECT count(*) FROM (SELECT DISTINCT ${key.join(', ')} FROM offending)) AS keys,
      (SELECT list(struct_pack(file := f, n := n) ORDER BY f)
         FROM (SELECT ${file} AS f, count(*) AS n FROM offending GROUP BY f)) AS files,
      (SELECT min_by(${sampleStruct(spec)},
           struct_pack(${key.join(', ')}, ${file}, ${sqlIdentifier(ROW_COLUMN)}), ${SAMPLE_SIZE})
         FROM offending) AS sample`,
  );
  const keys = toNumber(result?.keys);
  if (!result || keys === 0) return null;

  const names = fileNames(dataDir, inspected);
  const perFile = new Map(
    (result.files ?? []).map((entry) => [names.get(entry.file) ?? entry.file, toNumber(entry.n)]),
  );
  const rows = [...perFile.values()].reduce((sum, n) => sum + n, 0);
  const column = spec.key.join(', ');
  const label = spec.key.length === 1 ? `${spec.name}.${column}` : `${spec.name} (${column})`;
  return problem({
    code: 'duplicate_key',
    table: spec.name,
    file: singleFile(perFile),
    column,
    rows,
    message: `${label}: ${plural(rows, 'row')} share ${plural(keys, 'key')} that should be unique${whereNote(perFile, inspected.readable.length)}`,
    sample: (result.sample ?? []).map((sampled) => jsonRow(spec, sampled)),
  });
}
