/** The public surface of data/: the contract, the check report, DuckDB helpers, views, checks. */
export * from './contract.ts';
export * from './report.ts';
export * from './duckdb.ts';
export * from './dataset.ts';
export { checkData, type CheckOptions } from './check.ts';
export { FAMILY_TYPES, familyAccepts } from './type-families.ts';
export { ORPHAN_WARNING_SHARE } from './rules.ts';
