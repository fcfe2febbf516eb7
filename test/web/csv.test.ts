// The CSV writer (web/src/lib/csv.ts): RFC 4180 quoting and CSV-injection neutralising.
import { describe, expect, test } from 'vitest';
import { csvField, csvRecord, toCsv } from '../../web/src/lib/csv.ts';

describe('csvField', () => {
  test('plain text and numbers are written as they are', () => {
    expect(csvField('Acme Corp')).toBe('Acme Corp');
    expect(csvField(42)).toBe('42');
    expect(csvField(22.070980339827422)).toBe('22.070980339827422');
    expect(csvField(10n)).toBe('10');
    expect(csvField(true)).toBe('true');
  });

  test('null, undefined and numbers that are not finite are empty fields', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(Number.POSITIVE_INFINITY)).toBe('');
  });

  test('a comma, a quote, CR or LF puts the field in quotes, with quotes doubled', () => {
    expect(csvField('Smith, Jones & Co')).toBe('"Smith, Jones & Co"');
    expect(csvField('The "Best" Bank')).toBe('"The ""Best"" Bank"');
    expect(csvField('line one\nline two')).toBe('"line one\nline two"');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
    expect(csvField('"')).toBe('""""');
  });

  test('text that a spreadsheet would run as a formula starts with an apostrophe', () => {
    expect(csvField('=HYPERLINK("http://evil.example","x")')).toBe(
      '"\'=HYPERLINK(""http://evil.example"",""x"")"',
    );
    expect(csvField('+1+1')).toBe("'+1+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('\r=1')).toBe('"\'\r=1"');
    // Only the first character matters.
    expect(csvField('a=1')).toBe('a=1');
  });

  test('numbers are data, never formulas: a negative number keeps its sign', () => {
    expect(csvField(-6.761125006006171)).toBe('-6.761125006006171');
    expect(csvField(-0.5)).toBe('-0.5');
  });
});

describe('toCsv', () => {
  test('joins fields with commas and ends every record with CRLF', () => {
    expect(csvRecord(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"');
    expect(
      toCsv(
        ['id', 'name', 'score'],
        [
          ['ACC-1', 'Acme, Inc.', 12.5],
          ['ACC-2', '=cmd', null],
        ],
      ),
    ).toBe('id,name,score\r\nACC-1,"Acme, Inc.",12.5\r\nACC-2,\'=cmd,\r\n');
  });

  test('a header alone is one record', () => {
    expect(toCsv(['id'], [])).toBe('id\r\n');
  });

  test('what it writes parses back to the same fields', () => {
    const rows = [
      ['plain', 'with, comma', 'with "quotes"', 'multi\nline', ''],
      ['x', 'y', 'z', 'crlf\r\ninside', 'ünïcödé'],
    ];
    expect(parseCsv(toCsv(['a', 'b', 'c', 'd', 'e'], rows))).toEqual([
      ['a', 'b', 'c', 'd', 'e'],
      ...rows,
    ]);
  });
});

/** A strict RFC 4180 reader, written independently of the writer, to check round trips. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (char === '"') {
        quoted = false;
        i += 1;
      } else {
        field += char;
        i += 1;
      }
    } else if (char === '"') {
      quoted = true;
      i += 1;
    } else if (char === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      field += char;
      i += 1;
    }
  }
  if (field !== '' || record.length > 0) throw new Error('the last record has no CRLF');
  return records;
}
