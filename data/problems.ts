import type { Problem, ProblemCode } from './report.ts';

export type Severity = Problem['severity'];

export interface ProblemInput {
  code: ProblemCode;
  severity?: Severity;
  table: string;
  file?: string | null;
  column?: string | null;
  rows?: number | null;
  message: string;
  sample?: Record<string, unknown>[];
}

/** A problem with the defaults filled in: an error, about no particular file, column or rows. */
export function problem(input: ProblemInput): Problem {
  return {
    severity: input.severity ?? 'error',
    code: input.code,
    table: input.table,
    file: input.file ?? null,
    column: input.column ?? null,
    rows: input.rows ?? null,
    message: input.message,
    sample: input.sample ?? [],
  };
}

/** `1 row`, `12 rows`. */
export function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * Where in a table's files something was found, for messages: ` (in a.parquet)`, ` (in all 3
 * files: ...)`, ` (in 2 of 3 files: a.parquet (5), b.parquet (1))`. `files` maps each file
 * concerned to its count of rows, or to null when rows do not apply.
 */
export function whereNote(files: ReadonlyMap<string, number | null>, totalFiles: number): string {
  if (files.size <= 1) return files.size === 0 ? '' : ` (in ${[...files.keys()][0]})`;
  const listed = [...files].map(([file, rows]) => (rows === null ? file : `${file} (${rows})`));
  const shown = listed.slice(0, 3).join(', ');
  const more = listed.length > 3 ? ` and ${listed.length - 3} more` : '';
  if (listed.length === totalFiles) return ` (in all ${totalFiles} files: ${shown}${more})`;
  return ` (in ${listed.length} of ${totalFiles} files: ${shown}${more})`;
}

/** The file a problem can be pinned on: the only one concerned, or none. */
export function singleFile(files: ReadonlyMap<string, unknown>): string | null {
  return files.size === 1 ? ([...files.keys()][0] ?? null) : null;
}

/**
 * DuckDB's message without the `LINE 1: ...` excerpt, with absolute paths made relative so that
 * reports do not depend on where DATA_DIR is mounted.
 */
export function duckdbMessage(error: unknown, paths: ReadonlyMap<string, string> = new Map()) {
  let message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  for (const [absolute, relative] of paths) message = message.replaceAll(absolute, relative);
  return message.trim();
}
