import { describe, expect, it } from 'vitest';
import { gateFigures } from '../../../lab/registry/gate.ts';

describe('gateFigures', () => {
  it('reads the AUC interval of a backtest result from overall.rocAuc', () => {
    const result = { overall: { rocAuc: { estimate: 0.81, low: 0.79, high: 0.83, level: 0.95 } } };
    expect(gateFigures(result, null)).toEqual({ auc: 0.81, aucLow: 0.79, aucHigh: 0.83 });
  });

  it('has no figures for a backtest without an interval', () => {
    const result = { overall: { rocAuc: { estimate: 0.81, low: null, high: null } } };
    expect(gateFigures(result, null)).toBeNull();
  });
});
