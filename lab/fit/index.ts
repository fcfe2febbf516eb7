export { fitModel, type FitOptions } from './fit.ts';
export {
  fitResultSchema,
  fitSettingsSchema,
  fitTermSchema,
  type FitResult,
  type FitSettingsInput,
  type FitTerm,
} from './schema.ts';
export { timeSplit, type TimeSplit } from './split.ts';
export {
  DEFAULT_MIN_WEIGHT_SHARE,
  modelFromTerms,
  termsFromFit,
  type FittedTerm,
} from './to-model.ts';
