/**
 * Expected failures are values: `{ ok: false, error }` with a stable, dotted code such as `EVENT.NOT_FINITE`.
 * Throw only for bugs and transient faults; `MrmError` carries a code there too so logs and responses stay stable.
 */
export type Result<T, E = Failure> = { ok: true; value: T } | { ok: false; error: E };

export interface Failure {
  /** Stable code, `AREA.REASON`, safe to alert and group on. */
  code: string;
  /** Human-readable explanation; names the field, setting or file at fault. */
  message: string;
  /** Optional structured detail (offending field, limits, upstream status…). */
  detail?: Record<string, unknown>;
}

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = (
  code: string,
  message: string,
  detail?: Record<string, unknown>,
): { ok: false; error: Failure } => ({
  ok: false,
  error: detail === undefined ? { code, message } : { code, message, detail },
});

export class MrmError extends Error {
  readonly code: string;
  readonly detail: Record<string, unknown> | undefined;
  constructor(code: string, message: string, options: { cause?: unknown; detail?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MrmError';
    this.code = code;
    this.detail = options.detail;
  }

  static fromFailure(failure: Failure, cause?: unknown): MrmError {
    return new MrmError(failure.code, failure.message, { cause, detail: failure.detail });
  }
}

/** Unwraps a Result, throwing an MrmError for the failure (for entry points where failure means stop). */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw MrmError.fromFailure(result.error);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
