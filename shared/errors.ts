/**
 * Expected failures are values: `{ ok: false, error }` with a stable, dotted code such as `EVENT.NOT_FINITE`.
 * Throw only for bugs and transient faults; `MrmError` carries a code there too so logs and responses stay stable.
 * Both carry a kind, set where the error is made, from which each entry point decides its answer (an HTTP status, a
 * dead letter and whether it is worth replaying, a thrown invocation that the host retries).
 */
export type Result<T, E = Failure> = { ok: true; value: T } | { ok: false; error: E };

export type ErrorKind =
  /** A setting, template, permission, uploaded profile or answer of a service that an operator must fix. */
  | 'configuration'
  /** Something we depend on did not answer for now (storage, network, a busy service): a retry may succeed. */
  | 'transient'
  /** The input itself is wrong (an event, a payload, a blob's bytes): retrying the same input never helps. */
  | 'bad-input'
  /** Our own mistake. */
  | 'bug';

export interface Failure {
  kind: ErrorKind;
  /** Stable code, `AREA.REASON`, safe to alert and group on. */
  code: string;
  /** Human-readable explanation; names the field, setting or file at fault. */
  message: string;
  /** Optional structured detail (offending field, limits, upstream status…). */
  detail?: Record<string, unknown>;
}

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = (
  kind: ErrorKind,
  code: string,
  message: string,
  detail?: Record<string, unknown>,
): { ok: false; error: Failure } => ({
  ok: false,
  error: detail === undefined ? { kind, code, message } : { kind, code, message, detail },
});

export class MrmError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly detail: Record<string, unknown> | undefined;
  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    options: { cause?: unknown; detail?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MrmError';
    this.kind = kind;
    this.code = code;
    this.detail = options.detail;
  }

  static fromFailure(failure: Failure, cause?: unknown): MrmError {
    return new MrmError(failure.kind, failure.code, failure.message, { cause, detail: failure.detail });
  }
}

/** Unwraps a Result, throwing an MrmError for the failure (for entry points where failure means stop). */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw MrmError.fromFailure(result.error);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined || error === null ? `no error was given (${String(error)})` : String(error);
}

/**
 * The kind of anything thrown. Ours say; what libraries throw is read at this one boundary: storage and HTTP status
 * errors, network errors and timeouts are transient unless the status says we are not allowed or the resource is not
 * there (an operator's to fix); anything else (a TypeError, `undefined`) is a bug.
 */
export function kindOf(error: unknown): ErrorKind {
  if (error instanceof MrmError) return error.kind;
  if (!(error instanceof Error)) return 'bug';
  const e = error as Error & { statusCode?: unknown; code?: unknown };
  if (typeof e.statusCode === 'number') return [401, 403, 404].includes(e.statusCode) ? 'configuration' : 'transient';
  if (e.name === 'RestError' || e.name === 'AbortError' || e.name === 'TimeoutError') return 'transient';
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return 'transient';
  return 'bug';
}
