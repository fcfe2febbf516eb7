/**
 * The one place where health becomes risk. Vitals' scores are HEALTH, 0-100, higher is
 * healthier; every ranking statistic in lab/stats takes RISK, higher = more likely to churn.
 * Passing health where risk is expected does not fail, it silently turns an AUC of 0.8 into 0.2,
 * so callers convert explicitly with this and the conversion is visible in review.
 */
import { checkFinite, invalid } from './inputs.ts';

export function riskFromHealth(health: number): number;
export function riskFromHealth(health: ArrayLike<number>): Float64Array;
export function riskFromHealth(health: number | ArrayLike<number>): number | Float64Array {
  if (typeof health === 'number') return toRisk(health, 0, 'health');
  return Float64Array.from(health, (h, i) => toRisk(h, i, `health[${i}]`));
}

function toRisk(h: number, i: number, name: string): number {
  checkFinite('riskFromHealth', 'health', h, i);
  if (h < 0 || h > 100) {
    throw invalid('riskFromHealth', `${name} is ${h}; health scores run from 0 to 100`, {
      index: i,
    });
  }
  return 100 - h;
}
