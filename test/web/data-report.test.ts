// What the Data page says about a report (web/src/pages/data/data-report.ts). Runs in Node.
import { describe, expect, test } from 'vitest';
import type { DataReport, Problem, TableStatus } from '../../data/report.ts';
import {
  dateRange,
  isEmpty,
  overallVerdict,
  problemsInOrder,
  sampleColumns,
  tableVerdict,
} from '../../web/src/pages/data/data-report.ts';

const table = (extra: Partial<TableStatus> = {}): TableStatus => ({
  name: 'usage_daily',
  required: false,
  present: true,
  files: ['usage_daily.parquet'],
  rows: 120,
  dateColumn: 'date',
  minDate: '2024-10-01',
  maxDate: '2025-11-23',
  columns: [],
  ...extra,
});

const problem = (extra: Partial<Problem> = {}): Problem => ({
  severity: 'error',
  code: 'wrong_type',
  table: 'usage_daily',
  file: 'usage_daily.parquet',
  column: 'logins',
  rows: null,
  message: 'logins should be an integer',
  sample: [],
  ...extra,
});

const report = (extra: Partial<DataReport> = {}): DataReport => ({
  dataDir: '/data',
  checkedAt: '2025-11-24T09:00:00.000Z',
  ok: true,
  errors: 0,
  warnings: 0,
  tables: [table()],
  problems: [],
  ...extra,
});

describe('overallVerdict', () => {
  test('OK, warnings only, errors (with warnings)', () => {
    expect(overallVerdict(report())).toMatchObject({ tone: 'ok', label: 'OK' });
    expect(overallVerdict(report({ warnings: 1 }))).toMatchObject({
      tone: 'warning',
      label: '1 warning',
    });
    expect(overallVerdict(report({ ok: false, errors: 1 }))).toMatchObject({
      tone: 'error',
      label: '1 error',
    });
    expect(overallVerdict(report({ ok: false, errors: 3, warnings: 2 }))).toMatchObject({
      tone: 'error',
      label: '3 errors, 2 warnings',
    });
  });
});

describe('tableVerdict', () => {
  test("counts the table's own problems, errors before warnings", () => {
    const problems = [
      problem({ severity: 'warning' }),
      problem({ table: 'accounts' }),
      problem({ severity: 'warning' }),
    ];
    expect(tableVerdict(table(), problems)).toEqual({ tone: 'warning', label: '2 warnings' });
    expect(tableVerdict(table(), [...problems, problem()])).toEqual({
      tone: 'error',
      label: '1 error',
    });
  });

  test('a missing table is an error when required, neutral when optional', () => {
    expect(tableVerdict(table({ present: false, required: true }), [])).toEqual({
      tone: 'error',
      label: 'Missing',
    });
    expect(tableVerdict(table({ present: false }), [])).toEqual({
      tone: 'neutral',
      label: 'Not provided',
    });
    expect(tableVerdict(table(), [])).toEqual({ tone: 'ok', label: 'OK' });
  });
});

test('problemsInOrder puts errors first and keeps the order within each severity', () => {
  const w1 = problem({ severity: 'warning', message: 'w1' });
  const e1 = problem({ message: 'e1' });
  const w2 = problem({ severity: 'warning', message: 'w2' });
  const e2 = problem({ message: 'e2' });
  expect(problemsInOrder([w1, e1, w2, e2]).map((p) => p.message)).toEqual(['e1', 'e2', 'w1', 'w2']);
});

test('isEmpty is true only when no table is present', () => {
  expect(isEmpty(report())).toBe(false);
  expect(isEmpty(report({ tables: [table({ present: false })] }))).toBe(true);
  expect(isEmpty(report({ tables: [] }))).toBe(true);
});

test('dateRange gives calendar days, also for timestamps, and nothing without dates', () => {
  expect(dateRange(table())).toEqual({ from: '2024-10-01', to: '2025-11-23' });
  expect(
    dateRange(table({ minDate: '2025-01-02 08:00:00', maxDate: '2025-01-03T17:30:00Z' })),
  ).toEqual({ from: '2025-01-02', to: '2025-01-03' });
  expect(dateRange(table({ minDate: null, maxDate: null }))).toBeNull();
});

test('sampleColumns lists every key in order of first appearance', () => {
  expect(sampleColumns([{ a: 1, b: 2 }, { b: 3, c: null }, {}])).toEqual(['a', 'b', 'c']);
  expect(sampleColumns([])).toEqual([]);
});
