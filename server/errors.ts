/**
 * The one error type the server raises on purpose. `status` is the HTTP status, `code` a stable
 * machine-readable name, `message` safe to show a user, `details` optional structured context.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = details ?? null;
  }
}

/** The JSON body of every error reply. */
export interface ErrorBody {
  error: string;
  message: string;
  details: unknown;
}
