import type { DataReport } from '../../data/report.ts';

const count = (n: number | null) => (n === null ? '-' : n.toLocaleString('en-US'));

/** The data check report as plain text for a terminal. */
export function formatReport(report: DataReport): string {
  const lines: string[] = [`Data folder: ${report.dataDir}`, ''];
  const width = Math.max(...report.tables.map((table) => table.name.length));
  for (const table of report.tables) {
    const state = table.present
      ? count(table.rows).padStart(12) + ' rows'
      : table.required
        ? 'MISSING (required)'
        : 'absent (optional)';
    const range = table.minDate ? `  ${table.minDate} .. ${table.maxDate}` : '';
    lines.push(`  ${table.name.padEnd(width)}  ${state}${range}`);
  }
  lines.push('');
  const ordered = [...report.problems].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1,
  );
  for (const problem of ordered) {
    lines.push(`${problem.severity.toUpperCase()} ${problem.code}: ${problem.message}`);
    for (const row of problem.sample) lines.push(`    sample: ${JSON.stringify(row)}`);
  }
  lines.push(
    report.ok
      ? `OK: no errors${report.warnings ? `, ${report.warnings} warning(s)` : ''}`
      : `FAILED: ${report.errors} error(s), ${report.warnings} warning(s)`,
  );
  return `${lines.join('\n')}\n`;
}
