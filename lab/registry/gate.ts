import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { findBacktestFor } from './backtests.ts';

/**
 * The promotion gate. A candidate may replace production only when
 *
 * 1. the candidate has a stored backtest on the current data (fingerprint) with the current
 *    settings, and that result carries ROC AUC figures; and
 * 2. there is no production model, or production also has such a backtest and the candidate's
 *    AUC is not worse beyond the uncertainty:
 *    - with a paired difference interval (candidate - production, on the same snapshots):
 *      pass iff its upper bound >= 0, i.e. the data do not show the candidate to be worse;
 *    - otherwise: pass iff the candidate's AUC estimate >= the lower bound of production's AUC
 *      interval (production AUC minus the lower half of its interval).
 *
 * Equal models pass. Comparisons allow 1e-9 for floating point. An admin may override a refusal
 * with a written reason (see `promotion.ts`); the decision and its figures are recorded either way.
 */
export const GATE_TOLERANCE = 1e-9;

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/** The figures of one stored backtest the gate rests on. */
export interface GateFigures {
  auc: number;
  aucLow: number;
  aucHigh: number;
  /** Candidate AUC minus production AUC on identical snapshots, when the result carries it. */
  pairedDiff?: Interval;
}

const interval = z.object({ estimate: z.number(), low: z.number(), high: z.number() });

/**
 * The narrow view of a stored backtest result the gate needs. This is the only place that knows
 * the result's shape: `{ auc: {estimate, low, high}, pairedDiff?: {against, estimate, low, high} }`
 * (extra fields ignored). A paired difference counts only when it was computed against `against`.
 */
const backtestShape = z.object({ overall: z.object({ rocAuc: interval }) });

const resultShape = z.object({
  auc: interval,
  pairedDiff: interval.extend({ against: z.string() }).optional(),
});

/** Extracts the gate's figures from a stored result; null when it carries no AUC interval. */
export function gateFigures(result: unknown, against: string | null): GateFigures | null {
  // A backtest result of lab/validate carries its AUC at overall.rocAuc.
  const backtest = backtestShape.safeParse(result);
  const parsed = backtest.success
    ? { success: true as const, data: { auc: backtest.data.overall.rocAuc, pairedDiff: undefined } }
    : resultShape.safeParse(result);
  if (!parsed.success) return null;
  const { auc, pairedDiff } = parsed.data;
  const figures: GateFigures = { auc: auc.estimate, aucLow: auc.low, aucHigh: auc.high };
  if (pairedDiff && against !== null && pairedDiff.against === against) {
    figures.pairedDiff = {
      estimate: pairedDiff.estimate,
      low: pairedDiff.low,
      high: pairedDiff.high,
    };
  }
  return figures;
}

export type GateRule =
  | 'unvalidated'
  | 'no_figures'
  | 'no_production'
  | 'production_unvalidated'
  | 'paired_difference'
  | 'production_interval';

export interface GateSide {
  hash: string | null;
  backtestKey: string | null;
  backtestAt: string | null;
  figures: GateFigures | null;
}

export interface GateDecision {
  passed: boolean;
  /** Which part of the rule decided. */
  rule: GateRule;
  /** The decision in a sentence, with the figures it compared. */
  message: string;
  candidate: GateSide;
  production: GateSide;
  dataFingerprint: string;
  settings: unknown;
}

export interface GateInput {
  candidateHash: string;
  productionHash: string | null;
  dataFingerprint: string;
  /** The current backtest settings; null when none were given (the gate then refuses). */
  settings: unknown;
}

const f = (value: number) => value.toFixed(4);
const short = (hash: string | null) => (hash ?? '').slice(0, 12);

/** Reads the stored backtests of candidate and production and decides. Reads only. */
export async function evaluateGate(
  connection: DuckDBConnection,
  schema: string,
  input: GateInput,
): Promise<GateDecision> {
  const side = async (hash: string | null, against: string | null): Promise<GateSide> => {
    const stored =
      hash === null
        ? null
        : await findBacktestFor(connection, schema, {
            modelHash: hash,
            dataFingerprint: input.dataFingerprint,
            settings: input.settings,
          });
    return {
      hash,
      backtestKey: stored?.key ?? null,
      backtestAt: stored?.createdAt ?? null,
      figures: stored ? gateFigures(stored.result, against) : null,
    };
  };
  const context = { dataFingerprint: input.dataFingerprint, settings: input.settings };
  if (input.settings === null || input.settings === undefined) {
    const none = (hash: string | null) => ({
      hash,
      backtestKey: null,
      backtestAt: null,
      figures: null,
    });
    return {
      passed: false,
      rule: 'unvalidated',
      message: `no backtest settings were given, so no stored backtest can vouch for model ${short(input.candidateHash)}`,
      candidate: none(input.candidateHash),
      production: none(input.productionHash),
      ...context,
    };
  }
  const candidate = await side(input.candidateHash, input.productionHash);
  const production = await side(input.productionHash, null);
  return { ...decideGate(candidate, production), candidate, production, ...context };
}

/** The rule itself, on figures already read. */
export function decideGate(
  candidate: GateSide,
  production: GateSide,
): { passed: boolean; rule: GateRule; message: string } {
  const c = short(candidate.hash);
  if (!candidate.backtestKey) {
    return {
      passed: false,
      rule: 'unvalidated',
      message: `model ${c} has no stored backtest on the current data with the current settings; backtest it first`,
    };
  }
  if (!candidate.figures) {
    return {
      passed: false,
      rule: 'no_figures',
      message: `the stored backtest of model ${c} (${candidate.backtestKey}) has no AUC interval`,
    };
  }
  if (production.hash === null) {
    return {
      passed: true,
      rule: 'no_production',
      message: `no production model to compare with; model ${c} is validated (AUC ${f(candidate.figures.auc)})`,
    };
  }
  const p = short(production.hash);
  if (!production.figures) {
    return {
      passed: false,
      rule: 'production_unvalidated',
      message: `production model ${p} has no stored backtest with AUC figures on the current data with the current settings, so model ${c} cannot be compared with it; backtest production too`,
    };
  }
  const diff = candidate.figures.pairedDiff;
  if (diff) {
    const passed = diff.high >= -GATE_TOLERANCE;
    return {
      passed,
      rule: 'paired_difference',
      message: `AUC difference ${c} - ${p} is ${f(diff.estimate)} [${f(diff.low)}, ${f(diff.high)}]: ${passed ? 'not worse' : 'worse beyond the interval'} (upper bound ${passed ? '>=' : '<'} 0)`,
    };
  }
  const passed = candidate.figures.auc >= production.figures.aucLow - GATE_TOLERANCE;
  return {
    passed,
    rule: 'production_interval',
    message: `candidate AUC ${f(candidate.figures.auc)} ${passed ? '>=' : '<'} ${f(production.figures.aucLow)}, the lower bound of production's AUC ${f(production.figures.auc)} [${f(production.figures.aucLow)}, ${f(production.figures.aucHigh)}]: ${passed ? 'not worse' : 'worse beyond the interval'}`,
  };
}
