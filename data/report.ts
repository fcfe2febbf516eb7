import { z } from 'zod';

/** The codes `checkData` reports; `code` stays a string so other producers can add their own. */
export const PROBLEM_CODES = [
  'missing_table',
  'ambiguous_table',
  'unreadable_file',
  'empty_table',
  'missing_column',
  'wrong_type',
  'null_value',
  'duplicate_key',
  'unknown_account',
  'future_date',
  'out_of_range',
  'unknown_value',
  'inconsistent_dates',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** One defect found in DATA_DIR. Errors block scoring; warnings are shown but do not. */
export const problemSchema = z.object({
  severity: z.enum(['error', 'warning']),
  /** Stable machine-readable kind, e.g. `missing_table`, `missing_column`, `wrong_type`. */
  code: z.string(),
  table: z.string(),
  /** The file the problem was found in, relative to DATA_DIR, when one file can be named. */
  file: z.string().nullable(),
  column: z.string().nullable(),
  /** How many rows have the problem (null when the problem is not about rows). */
  rows: z.number().int().nullable(),
  message: z.string(),
  /** A few offending rows, JSON-safe (dates as YYYY-MM-DD strings, integers as numbers). */
  sample: z.array(z.record(z.string(), z.unknown())),
});
export type Problem = z.infer<typeof problemSchema>;

export const tableStatusSchema = z.object({
  name: z.string(),
  required: z.boolean(),
  present: z.boolean(),
  /** Files backing the table, relative to DATA_DIR. */
  files: z.array(z.string()),
  rows: z.number().int().nullable(),
  dateColumn: z.string().nullable(),
  minDate: z.string().nullable(),
  maxDate: z.string().nullable(),
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
});
export type TableStatus = z.infer<typeof tableStatusSchema>;

export const dataReportSchema = z.object({
  dataDir: z.string(),
  checkedAt: z.string(),
  /** True when there are no errors (warnings allowed). */
  ok: z.boolean(),
  errors: z.number().int(),
  warnings: z.number().int(),
  tables: z.array(tableStatusSchema),
  problems: z.array(problemSchema),
});
export type DataReport = z.infer<typeof dataReportSchema>;
