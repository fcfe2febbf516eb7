import { TIMELINE } from './model.ts';

/**
 * The time frame of one generated data set. Inside the SQL, days are integers `dn` counted from
 * `simStart`, a Monday some weeks before the window, so week k = dn // 7 and weekday = dn % 7
 * (0 = Monday). Dates are rendered only when writing the files.
 */
export interface Frame {
  seed: number;
  accounts: number;
  days: number;
  /** First and last day of data, YYYY-MM-DD. */
  windowStart: string;
  endDate: string;
  /** The Monday from which the health process runs (warm-up weeks before windowStart). */
  simStart: string;
  windowStartDn: number;
  endDn: number;
  /** Week number of endDate. */
  lastWeek: number;
}

const DAY_MS = 86_400_000;

/** Parses YYYY-MM-DD as a UTC day, refusing strings that are not real calendar dates. */
export function parseDay(value: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = new Date(`${value}T00:00:00Z`);
  if (!match || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new RangeError(`not a calendar date (YYYY-MM-DD): ${value}`);
  }
  return date;
}

export function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

export function makeFrame(options: {
  accounts: number;
  days: number;
  seed: number;
  endDate: string;
}): Frame {
  const end = parseDay(options.endDate);
  const windowStart = addDays(end, -(options.days - 1));
  const mondayOffset = (windowStart.getUTCDay() + 6) % 7;
  const simStart = addDays(windowStart, -mondayOffset - 7 * TIMELINE.warmupWeeks);
  const dn = (date: Date) => Math.round((date.getTime() - simStart.getTime()) / DAY_MS);
  return {
    seed: options.seed,
    accounts: options.accounts,
    days: options.days,
    windowStart: formatDay(windowStart),
    endDate: options.endDate,
    simStart: formatDay(simStart),
    windowStartDn: dn(windowStart),
    endDn: dn(end),
    lastWeek: Math.floor(dn(end) / 7),
  };
}

/** SQL for the date of day number `dnSql`. */
export function dateSql(frame: Frame, dnSql: string): string {
  return `(DATE '${frame.simStart}' + CAST(${dnSql} AS INTEGER))`;
}

/** SQL for the day number of a DATE expression. */
export function dnSql(frame: Frame, dateExpr: string): string {
  return `(CAST(${dateExpr} AS DATE) - DATE '${frame.simStart}')`;
}
