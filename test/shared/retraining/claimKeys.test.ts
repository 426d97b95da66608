import { describe, expect, it } from 'vitest';
import { alertClaimKey, directClaimKey, retrainJobName } from '../../../shared/retraining/claimKeys.js';
import type { DirectPayload } from '../../../shared/retraining/retrainPayload.js';

const direct = (over: Partial<DirectPayload> = {}): DirectPayload => ({
  kind: 'direct',
  magnitude: 0.5,
  features: ['a', 'b'],
  reason: undefined,
  model: undefined,
  ...over,
});
const at = (iso: string) => new Date(iso);

describe('claim keys and job names', () => {
  it('gives one alert one key, and different alerts different keys', () => {
    expect(alertClaimKey('/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/1')).toBe(
      alertClaimKey('/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/1'),
    );
    expect(alertClaimKey('/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/1')).not.toBe(
      alertClaimKey('/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/2'),
    );
    expect(alertClaimKey('x')).toMatch(/^alert-[0-9a-f]{40}$/);
  });

  it('gives equal direct payloads in one time bucket one key, whatever the feature order', () => {
    const key = directClaimKey(direct(), 'default', at('2026-03-02T10:05:00Z'), 60);
    expect(directClaimKey(direct({ features: ['b', 'a'] }), 'default', at('2026-03-02T10:59:59Z'), 60)).toBe(key);
    expect(key).toMatch(/^direct-20260302T100000Z-[0-9a-f]{32}$/);
  });

  it('gives a new key in the next bucket, or for different content or model', () => {
    const key = directClaimKey(direct(), 'default', at('2026-03-02T10:05:00Z'), 60);
    expect(directClaimKey(direct(), 'default', at('2026-03-02T11:00:00Z'), 60)).not.toBe(key);
    expect(directClaimKey(direct({ magnitude: 0.51 }), 'default', at('2026-03-02T10:05:00Z'), 60)).not.toBe(key);
    expect(directClaimKey(direct(), 'churn', at('2026-03-02T10:05:00Z'), 60)).not.toBe(key);
  });

  it('derives job names from the claim alone, valid as Azure ML job names', () => {
    const name = retrainJobName('alert-abc', 'Credit.Risk_v2');
    expect(name).toBe(retrainJobName('alert-abc', 'Credit.Risk_v2'));
    expect(name).not.toBe(retrainJobName('alert-abd', 'Credit.Risk_v2'));
    expect(name).toMatch(/^mrm-retrain-credit-risk_v2-[0-9a-f]{16}$/);
    expect(name).toMatch(/^[a-z0-9][a-z0-9_-]{0,254}$/);
  });
});
