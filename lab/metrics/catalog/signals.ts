import { aggregate, defineMetric, trendAggregates, trendValue } from '../define.ts';
import type { MetricDef } from '../types.ts';

/**
 * Custom signals from the `signals` table, named `signal:<signal>:<aggregate>`:
 * `latest` (the latest value within 365 days), `avg_<N>d` (mean over N days) and `trend_<N>d`
 * (relative trend over N days, defined as for usage trends). The signal name is a value: it is
 * bound as a SQL parameter, never written into the SQL text.
 */
export const SIGNAL_METRIC_PATTERN = 'signal:<name>:latest | avg_<N>d | trend_<N>d';
export const SIGNAL_MAX_DAYS = 730;
const SIGNAL_NAME = /^signal:(.+):(latest|avg_(\d+)d|trend_(\d+)d)$/;
const MATCH = 't.signal = $signal';

export interface SignalMetricParts {
  signal: string;
  kind: 'latest' | 'avg' | 'trend';
  days: number;
}

/** Parses a custom signal metric name; an explanation string when it is not a valid one. */
export function parseSignalMetric(name: string): SignalMetricParts | string | null {
  if (!name.startsWith('signal:')) return null;
  const match = SIGNAL_NAME.exec(name);
  if (!match) return `"${name}" is not a signal metric (${SIGNAL_METRIC_PATTERN})`;
  const signal = match[1]!;
  if (match[2] === 'latest') return { signal, kind: 'latest', days: 365 };
  const kind = match[3] === undefined ? 'trend' : 'avg';
  const days = Number(match[3] ?? match[4]);
  const min = kind === 'trend' ? 7 : 1;
  if (!Number.isSafeInteger(days) || days < min || days > SIGNAL_MAX_DAYS) {
    return `"${name}": the window must be ${min} to ${SIGNAL_MAX_DAYS} days`;
  }
  return { signal, kind, days };
}

export function signalMetric(name: string, parts: SignalMetricParts): MetricDef {
  const params = { signal: parts.signal };
  const extra = { params, prefilter: 'signal = $signal' };
  const base = { name, family: 'custom' as const, tables: ['signals'] as const, seasonal: false };
  if (parts.kind === 'latest') {
    return defineMetric({
      ...base,
      description: `Latest value of signal "${parts.signal}" within 365 days of T.`,
      unit: 'signal value',
      aggregates: {
        latest: aggregate('signals', 365, 'arg_max(t.value, t.date)', MATCH, extra),
      },
      value: (a) => a.latest,
    });
  }
  if (parts.kind === 'avg') {
    return defineMetric({
      ...base,
      description: `Average of signal "${parts.signal}" over the last ${parts.days} days.`,
      unit: 'signal value',
      aggregates: { mean: aggregate('signals', parts.days, 'avg(t.value)', MATCH, extra) },
      value: (a) => a.mean,
    });
  }
  return defineMetric({
    ...base,
    description: `Trend of signal "${parts.signal}" over ${parts.days} days: slope times ${parts.days} over the absolute average level (NULL with data spanning under half the window).`,
    unit: `fraction of level per ${parts.days} days`,
    aggregates: trendAggregates('signals', 't.value', parts.days, MATCH, extra),
    value: (a) => trendValue(a, parts.days),
  });
}
