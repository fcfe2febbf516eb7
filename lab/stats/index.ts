/**
 * Statistics as plain functions, shared by notebooks, the CLI, the server and the tests.
 * Ranking statistics take RISK (higher = more likely to churn, like scikit-learn's y_score);
 * labels are 1/true = churned. Convert health scores with riskFromHealth first.
 */
export { UndefinedStatisticError, type Labels, type Scores } from './inputs.ts';
export { riskFromHealth } from './risk.ts';
export { prAuc, rocAuc, rocCurve, type RocCurve } from './ranking.ts';
export { liftTable, type LiftRow } from './lift.ts';
export { calibrationTable, type CalibrationOptions, type CalibrationRow } from './calibration.ts';
export { bootstrapCi, type BootstrapOptions, type BootstrapResult } from './bootstrap.ts';
export { SeededRandom } from './random.ts';
export {
  fitLogistic,
  predictLogistic,
  type FeatureRows,
  type LogisticFit,
  type LogisticOptions,
} from './logistic.ts';
