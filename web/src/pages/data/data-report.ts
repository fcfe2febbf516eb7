/**
 * What the Data page says about a data check report, as pure functions of it: the overall
 * verdict, each table's verdict, problem order and sample-table columns.
 */
import type { DataReport, Problem, TableStatus } from '../../api/data.ts';
import { formatDay, plural } from '../../lib/format.ts';
import type { Verdict } from '../../lib/tone.ts';

export function overallVerdict(report: DataReport): Verdict {
  if (report.errors > 0) {
    const warnings = report.warnings > 0 ? `, ${plural(report.warnings, 'warning')}` : '';
    return {
      tone: 'error',
      label: plural(report.errors, 'error') + warnings,
      detail:
        'Errors block scoring: Vitals keeps showing the last good scores until they are fixed.',
    };
  }
  if (report.warnings > 0) {
    return {
      tone: 'warning',
      label: plural(report.warnings, 'warning'),
      detail: 'The data can be scored. The warnings below are still worth a look.',
    };
  }
  return { tone: 'ok', label: 'OK', detail: 'Every table present matches the data contract.' };
}

export function tableVerdict(table: TableStatus, problems: readonly Problem[]): Verdict {
  const own = problems.filter((problem) => problem.table === table.name);
  const errors = own.filter((problem) => problem.severity === 'error').length;
  const warnings = own.length - errors;
  if (errors > 0) return { tone: 'error', label: plural(errors, 'error') };
  if (warnings > 0) return { tone: 'warning', label: plural(warnings, 'warning') };
  if (!table.present) {
    return table.required
      ? { tone: 'error', label: 'Missing' }
      : { tone: 'neutral', label: 'Not provided' };
  }
  return { tone: 'ok', label: 'OK' };
}

/** Errors first, then warnings; the server's order within each. */
export function problemsInOrder(problems: readonly Problem[]): Problem[] {
  return [
    ...problems.filter((problem) => problem.severity === 'error'),
    ...problems.filter((problem) => problem.severity !== 'error'),
  ];
}

/** True when DATA_DIR holds none of the contract's tables. */
export function isEmpty(report: DataReport): boolean {
  return !report.tables.some((table) => table.present);
}

/** The first and last calendar day of a table's rows, or null when it has no dated rows. */
export function dateRange(table: TableStatus): { from: string; to: string } | null {
  if (table.minDate === null || table.maxDate === null) return null;
  return { from: formatDay(table.minDate), to: formatDay(table.maxDate) };
}

/** Every key that occurs in the sample rows, in order of first appearance. */
export function sampleColumns(sample: readonly Record<string, unknown>[]): string[] {
  const columns = new Set<string>();
  for (const row of sample) for (const key of Object.keys(row)) columns.add(key);
  return [...columns];
}

/** A stable element id for a problem, so a table's status can link to its first problem. */
export function problemId(index: number): string {
  return `problem-${index + 1}`;
}
