import { MrmError, kindOf, type ErrorKind, type Failure } from '../errors.js';

/** What retrainWebhook answers, independent of the Functions HTTP types. */
export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export type Decision = 'retraining_triggered' | 'no_action_needed' | 'duplicate' | 'cooldown';

/** A clear JSON error: `{ error: { code, message } }`. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  extra: { headers?: Record<string, string>; detail?: Record<string, unknown> } = {},
): WebhookResponse {
  const body: Record<string, unknown> = { error: { code, message, ...(extra.detail ?? {}) } };
  return extra.headers ? { status, body, headers: extra.headers } : { status, body };
}

/** 503 with Retry-After: action groups retry on it, and the claim makes the retry safe. */
export function retryLater(code: string, message: string, retryAfterInSeconds: number): WebhookResponse {
  return errorResponse(503, code, message, {
    headers: { 'Retry-After': String(Math.max(1, Math.round(retryAfterInSeconds))) },
  });
}

/** The status of a fault by its kind: the one place retrainWebhook turns kinds into HTTP. */
export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  'bad-input': 400,
  configuration: 500,
  transient: 503,
  bug: 500,
};

/** An expected failure as an answer: its code and message, its detail, the status of its kind. */
export function failureResponse(failure: Failure): WebhookResponse {
  if (failure.kind === 'transient') return retryLater(failure.code, failure.message, 30);
  return errorResponse(STATUS_OF_KIND[failure.kind], failure.code, failure.message, {
    ...(failure.detail ? { detail: failure.detail } : {}),
  });
}

/**
 * The answer to something thrown, by its kind: configuration 500 naming what to fix, bad input 400, transient 503 with
 * Retry-After (action groups retry it, and the claim makes the retry safe), a bug 500. Only our own messages of
 * configuration and input faults reach the caller; what a dependency said (hosts, ports, paths) stays in the log.
 */
export function thrownResponse(error: unknown): WebhookResponse {
  const ours = error instanceof MrmError ? error : undefined;
  switch (kindOf(error)) {
    case 'configuration':
      return ours
        ? errorResponse(STATUS_OF_KIND.configuration, ours.code, ours.message)
        : errorResponse(
            STATUS_OF_KIND.configuration,
            'DEPENDENCY.REFUSED',
            `A service the app depends on refused its request${statusOf(error)}: check the connection settings and the identity's role assignments`,
          );
    case 'bad-input':
      return ours
        ? errorResponse(400, ours.code, ours.message)
        : errorResponse(400, 'WEBHOOK.BAD_INPUT', 'Bad request');
    case 'transient':
      return retryLater(ours?.code ?? 'WEBHOOK.TRANSIENT', 'Temporary failure; retry later', 30);
    case 'bug':
      return errorResponse(STATUS_OF_KIND.bug, 'INTERNAL.ERROR', 'Internal error; the function log has the details');
  }
}

function statusOf(error: unknown): string {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? ` (HTTP ${status})` : '';
}
