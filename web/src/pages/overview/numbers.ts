/**
 * Numbers as the overview and account pages show them. ARR carries no currency symbol: the exports
 * do not say which currency they are in.
 */
import { formatCount } from '../../lib/format.ts';

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

/** An amount of money in short form for cards and labels: 1234567 -> "1.2M". */
export function formatMoneyShort(value: number): string {
  return compact.format(value);
}

/** An amount of money in full for tables: 1234567 -> "1,234,567". */
export function formatMoney(value: number): string {
  return formatCount(value);
}

const MINUS = '\u2212';

/** A change in a count with its sign: "+3", "−12" (a real minus sign), "0". */
export function formatSignedCount(value: number): string {
  const text = formatCount(Math.abs(value));
  if (Math.round(value) === 0) return '0';
  return value > 0 ? `+${text}` : `${MINUS}${text}`;
}

/** A change in money with its sign, short: "+1.2M", "−300K", "0". */
export function formatSignedMoneyShort(value: number): string {
  const text = compact.format(Math.abs(value));
  if (text === '0') return '0';
  return value > 0 ? `+${text}` : `${MINUS}${text}`;
}

/** A share 0-1 as a percentage: 0.125 -> "12.5%". */
export function formatShare(value: number): string {
  return percent.format(value);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from one YYYY-MM-DD date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to.slice(0, 10)) - Date.parse(from.slice(0, 10))) / DAY_MS);
}

/** How far a date is from `asOf` in words: "today", "in 12 days", "3 days ago". */
export function formatDaysFrom(asOf: string, date: string): string {
  const days = daysBetween(asOf, date);
  if (days === 0) return 'today';
  if (days === 1) return 'in 1 day';
  if (days === -1) return '1 day ago';
  return days > 0 ? `in ${formatCount(days)} days` : `${formatCount(-days)} days ago`;
}
