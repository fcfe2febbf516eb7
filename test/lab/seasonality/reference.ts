/**
 * The reference values made by test/fixtures/stl/make_reference.R (R's stats::stl(), the stl
 * Fortran routines psort and stlrwt called directly, and forecast::mstl()), and comparison helpers.
 * Regenerate the JSON with that script, never by hand.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { StlOptions } from '../../../lab/seasonality/index.ts';

/** Arguments as given to R's stl(), by R's names. */
export interface StlArgs {
  's.window': number | 'periodic';
  's.degree'?: 0 | 1;
  't.window'?: number;
  't.degree'?: 0 | 1;
  'l.window'?: number;
  'l.degree'?: 0 | 1;
  's.jump'?: number;
  't.jump'?: number;
  'l.jump'?: number;
  inner?: number;
  outer?: number;
  robust?: boolean;
}

export interface StlCase {
  name: string;
  values: number[];
  period: number;
  /** cycle(x)[1] - 1 of the R series: the cycle position of the first value. */
  start: number;
  args: StlArgs;
  seasonal: number[];
  trend: number[];
  remainder: number[];
  weights: number[];
  win: { s: number; t: number; l: number };
  deg: { s: number; t: number; l: number };
  jump: { s: number; t: number; l: number };
  inner: number;
  outer: number;
}

export interface PsortCase {
  name: string;
  input: number[];
  /** 1-based target positions, in the order passed. */
  ind: number[];
  output: number[];
}

export interface StlrwtCase {
  name: string;
  y: number[];
  fit: number[];
  rw: number[];
}

export interface MstlCase {
  name: string;
  values: number[];
  periods: number[];
  args: { 's.window'?: number | 'periodic' | number[]; robust?: boolean; iterate?: number };
  trend: number[];
  seasonals: { period: number; values: number[] }[];
  remainder: number[];
  periods_used: number[];
}

export interface Reference {
  generated_by: string;
  r_version: string;
  forecast_version: string;
  stl: StlCase[];
  psort: PsortCase[];
  stlrwt: StlrwtCase[];
  mstl: MstlCase[];
}

export const reference: Reference = JSON.parse(
  readFileSync(new URL('../../fixtures/stl/reference.json', import.meta.url), 'utf8'),
) as Reference;

export function stlCase(name: string): StlCase {
  const found = reference.stl.find((c) => c.name === name);
  if (!found) throw new Error(`no stl case ${name} in reference.json`);
  return found;
}

/** The StlOptions that correspond to an R stl() call. */
export function optionsOf(c: StlCase): StlOptions {
  const a = c.args;
  const options: StlOptions = { period: c.period, seasonalWindow: a['s.window'] };
  if (a['s.degree'] !== undefined) options.seasonalDegree = a['s.degree'];
  if (a['t.window'] !== undefined) options.trendWindow = a['t.window'];
  if (a['t.degree'] !== undefined) options.trendDegree = a['t.degree'];
  if (a['l.window'] !== undefined) options.lowpassWindow = a['l.window'];
  if (a['l.degree'] !== undefined) options.lowpassDegree = a['l.degree'];
  if (a['s.jump'] !== undefined) options.seasonalJump = a['s.jump'];
  if (a['t.jump'] !== undefined) options.trendJump = a['t.jump'];
  if (a['l.jump'] !== undefined) options.lowpassJump = a['l.jump'];
  if (a.inner !== undefined) options.inner = a.inner;
  if (a.outer !== undefined) options.outer = a.outer;
  if (a.robust !== undefined) options.robust = a.robust;
  return options;
}

/** The largest absolute element-wise difference (NaN when any difference is NaN). */
export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (Number.isNaN(diff)) return NaN;
    if (diff > worst) worst = diff;
  }
  return worst;
}

/** Every element within `tolerance` (absolute), naming the component in the message. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  what: string,
): void {
  expect(maxAbsDiff(actual, expected), `${what}: largest absolute difference`).toBeLessThanOrEqual(
    tolerance,
  );
}
