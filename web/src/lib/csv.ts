/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF, and a field quoted
 * (with its quotes doubled) when it holds a comma, a quote, CR or LF.
 *
 * A text field that starts with `=`, `+`, `-`, `@`, a tab or CR is a formula to a spreadsheet
 * (CSV injection), so it gets a leading apostrophe and is read as text. Numbers are written as
 * numbers: -12.5 is data, not a formula, and must stay a number for whoever opens the file.
 */

export type CsvValue = string | number | bigint | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field, neutralised and quoted as needed; null, undefined and non-finite numbers are empty. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record: its fields joined by commas, without the line break. */
export function csvRecord(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',');
}

/** A header record and the data records, each ended by CRLF. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [csvRecord(header)];
  for (const row of rows) lines.push(csvRecord(row));
  return lines.join('\r\n') + '\r\n';
}

/**
 * Saves `csv` as a file named `filename` in the browser. The UTF-8 byte order mark makes
 * spreadsheet programs read names with accents correctly instead of guessing a code page.
 */
export function downloadCsv(csv: string, filename: string): void {
  const blob = new Blob(['\ufeff', csv], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the click has been handled, so the download has its URL.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
