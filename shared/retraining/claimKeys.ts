import { createHash } from 'node:crypto';
import type { DirectPayload } from './retrainPayload.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The claim of an alert: its id is unique per alert instance and identical in every retry of it. */
export function alertClaimKey(alertId: string): string {
  return `alert-${sha256(alertId).slice(0, 40)}`;
}

/**
 * A direct payload has no id: the same content within one time bucket is the same request (a script retrying), the
 * same content in a later bucket is a new one.
 */
export function directClaimKey(payload: DirectPayload, model: string, at: Date, windowInMinutes: number): string {
  const windowInMs = windowInMinutes * 60_000;
  const bucketStart = new Date(Math.floor(at.getTime() / windowInMs) * windowInMs);
  const content = JSON.stringify([payload.magnitude, [...payload.features].sort(), payload.reason ?? null, model]);
  const stamp = bucketStart
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `direct-${stamp}-${sha256(content).slice(0, 32)}`;
}

/**
 * The Azure ML job name follows from the claim alone, so a retry after a crash submits under the same name and Azure
 * ML refuses a second job. Names are lowercase letters, digits, `-` and `_`.
 */
export function retrainJobName(claimKey: string, model: string): string {
  const slug =
    model
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'model';
  return `mrm-retrain-${slug}-${sha256(claimKey).slice(0, 16)}`;
}
