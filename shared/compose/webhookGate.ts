import type { Log, TokenVerifier } from '../retraining/ports.js';
import { errorResponse, retryLater, type WebhookResponse } from './webhookResponse.js';

/** The parts of an HTTP request the gate reads. */
export interface WebhookRequest {
  header(name: string): string | null;
  /** The raw body; called only after the declared length passed the limit. */
  body(): Promise<ArrayBuffer>;
}

export interface WebhookGateOptions {
  maxBodyBytes: number;
  /** Present when MRM_ENTRA_AUDIENCE is set: every call needs a valid bearer token. */
  tokens: TokenVerifier | undefined;
}

export const GATE_CODES = {
  unauthorized: 'WEBHOOK.UNAUTHORIZED',
  keysUnavailable: 'WEBHOOK.KEYS_UNAVAILABLE',
  unsupportedMediaType: 'WEBHOOK.UNSUPPORTED_MEDIA_TYPE',
  tooLarge: 'WEBHOOK.TOO_LARGE',
  notUtf8: 'WEBHOOK.NOT_UTF8',
  malformedJson: 'WEBHOOK.MALFORMED_JSON',
} as const;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/**
 * HTTP-level checks before the use case sees anything, each with its status and no side effect: 401 missing or invalid
 * token (checked first, so strangers learn nothing else), 415 not JSON, 413 too large, 400 not UTF-8 or not JSON.
 */
export function createWebhookGate(
  options: WebhookGateOptions,
  retrain: (body: unknown, log?: Log) => Promise<WebhookResponse>,
) {
  return async function handle(request: WebhookRequest, log?: Log): Promise<WebhookResponse> {
    if (options.tokens) {
      const verified = await options.tokens.verify(request.header('authorization'));
      if (verified.kind === 'unavailable')
        return retryLater(GATE_CODES.keysUnavailable, `Cannot check the bearer token now: ${verified.message}`, 30);
      if (verified.kind === 'invalid') {
        return errorResponse(401, GATE_CODES.unauthorized, verified.message, {
          headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
        });
      }
    }

    const contentType = request.header('content-type');
    const mediaType = contentType?.split(';')[0]?.trim() ?? '';
    if (!JSON_MEDIA_TYPE.test(mediaType)) {
      return errorResponse(
        415,
        GATE_CODES.unsupportedMediaType,
        `Content-Type must be application/json, got ${contentType ? JSON.stringify(contentType) : 'none'}`,
      );
    }
    const charset = /;\s*charset\s*=\s*"?([^";]+)"?/i.exec(contentType ?? '')?.[1];
    if (charset && !/^utf-?8$/i.test(charset.trim())) {
      return errorResponse(
        415,
        GATE_CODES.unsupportedMediaType,
        `Content-Type charset must be utf-8, got ${JSON.stringify(charset)}`,
      );
    }

    const tooLarge = (bytes: number) =>
      errorResponse(
        413,
        GATE_CODES.tooLarge,
        `Body of ${bytes} bytes is over the limit of ${options.maxBodyBytes} bytes (MRM_WEBHOOK_MAX_BODY_BYTES)`,
      );
    const declared = Number(request.header('content-length'));
    if (Number.isFinite(declared) && declared > options.maxBodyBytes) return tooLarge(declared);
    const bytes = new Uint8Array(await request.body());
    if (bytes.byteLength > options.maxBodyBytes) return tooLarge(bytes.byteLength);

    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return errorResponse(400, GATE_CODES.notUtf8, 'Body is not valid UTF-8');
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return errorResponse(
        400,
        GATE_CODES.malformedJson,
        text.trim() === '' ? 'Body is empty; expected a JSON object' : `Body is not valid JSON: ${why}`,
      );
    }
    return retrain(body, log);
  };
}
