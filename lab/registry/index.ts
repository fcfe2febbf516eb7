/**
 * The model registry: immutable model versions by content hash, their statuses, production as
 * the newest `production_log` row, promotion through the gate, rollback, the audit log and the
 * backtest cache. See README.md beside this file.
 */
export {
  getModel,
  listModels,
  MODEL_STATUSES,
  requireModel,
  resolveModelHash,
  saveModel,
  setStatus,
  SETTABLE_STATUSES,
  statusHistory,
  type ModelStatus,
  type SavedModel,
  type SettableStatus,
  type StatusChange,
} from './registry.ts';
export {
  productionEntry,
  productionLog,
  productionModel,
  type ProductionEntry,
} from './production.ts';
export { ensureRegistry } from './schema.ts';
export {
  findBacktest,
  findBacktestFor,
  listBacktests,
  storeBacktest,
  type BacktestRecord,
  type StoredBacktest,
} from './backtests.ts';
export {
  decideGate,
  evaluateGate,
  GATE_TOLERANCE,
  gateFigures,
  type GateDecision,
  type GateFigures,
  type GateInput,
  type GateRule,
  type GateSide,
  type Interval,
} from './gate.ts';
export {
  AUDIT_ACTIONS,
  checkRegistry,
  listAudit,
  type AuditAction,
  type AuditEntry,
} from './audit.ts';
export { ensureProduction, type ProductionStep, type RegistryLogger } from './change.ts';
export {
  MIN_OVERRIDE_REASON,
  promote,
  type PromoteOptions,
  type PromotionResult,
} from './promotion.ts';
export { productionStack, rollback, rollbackTarget, type RollbackResult } from './rollback.ts';
export {
  openStateDatabase,
  STATE_FILE,
  STATE_SCHEMA,
  StateLockedError,
  type OpenState,
} from './open.ts';
