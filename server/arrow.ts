import { Float64, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

/**
 * Encodes columns (as DuckDB's getColumnsObjectJS returns them) as an Arrow IPC stream. Column
 * kinds are declared, not guessed, so an all-null column still has its type.
 */
export function columnsToArrow(
  columns: Record<string, unknown[]>,
  kinds: readonly (readonly [string, 'string' | 'number'])[],
): Uint8Array {
  const vectors = Object.fromEntries(
    kinds.map(([name, kind]) => {
      const values = columns[name] ?? [];
      return [
        name,
        kind === 'number'
          ? vectorFromArray(values as (number | null)[], new Float64())
          : vectorFromArray(values as (string | null)[], new Utf8()),
      ];
    }),
  );
  return tableToIPC(new Table(vectors), 'stream');
}

/** True when the client asked for Arrow IPC. */
export function wantsArrow(accept: string | undefined): boolean {
  return (accept ?? '').includes(ARROW_STREAM);
}
