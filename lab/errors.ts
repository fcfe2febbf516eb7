/**
 * The one error type lab/ raises on purpose. `code` is stable and machine-readable so that the
 * server can map it to an HTTP status (all of these are the caller's mistake: 400/422);
 * `details` carries the structured context (paths, metrics, tables) behind the message.
 */
export type LabErrorCode =
  | 'invalid_model'
  | 'unknown_metric'
  | 'metric_unavailable'
  | 'missing_required_table'
  | 'invalid_request';

export class LabError extends Error {
  readonly code: LabErrorCode;
  readonly details: unknown;

  constructor(code: LabErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'LabError';
    this.code = code;
    this.details = details ?? null;
  }
}
