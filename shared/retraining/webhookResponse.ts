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
