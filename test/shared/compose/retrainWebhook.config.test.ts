import { afterEach, describe, expect, it, vi } from 'vitest';

// The module reads its settings when it loads, as the Functions host loads it at cold start.
async function loadWith(env: Record<string, string>): Promise<unknown> {
  vi.resetModules();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await import('../../../functions/retrainWebhook.js');
  } finally {
    for (const key of Object.keys(env)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

describe('retrainWebhook settings at cold start', () => {
  afterEach(() => vi.resetModules());

  it('fails fast naming a bad setting and what it expected', async () => {
    await expect(loadWith({ MRM_RETRAIN_COOLDOWN_HOURS: '-1' })).rejects.toThrow(
      'Invalid settings: MRM_RETRAIN_COOLDOWN_HOURS: must be at least 0, got -1',
    );
    await expect(loadWith({ MRM_RETRAIN_RULE_PATTERN: '(drift' })).rejects.toThrow(
      /MRM_RETRAIN_RULE_PATTERN: "\(drift" is not a rule-name pattern/,
    );
    await expect(loadWith({ MRM_WEBHOOK_ROUTE: '/retrain' })).rejects.toThrow(
      'MRM_WEBHOOK_ROUTE: "/retrain" is not a route',
    );
  });

  it('fails fast on settings that only make sense together', async () => {
    await expect(loadWith({ MRM_RETRAIN_WORKSPACE_NAME: 'mlw' })).rejects.toThrow(
      'Invalid settings: MRM_RETRAIN_WORKSPACE_SUBSCRIPTION_ID, MRM_RETRAIN_WORKSPACE_RESOURCE_GROUP: required with MRM_RETRAIN_WORKSPACE_NAME',
    );
    await expect(loadWith({ MRM_ENTRA_AUDIENCE: 'api://x' })).rejects.toThrow(
      'MRM_ENTRA_TENANT_ID: required when MRM_ENTRA_AUDIENCE is set',
    );
  });

  it('registers on the configured route', async () => {
    const registrations = (globalThis.__mrmRegistrations ??= []);
    const before = registrations.length;
    await loadWith({ MRM_WEBHOOK_ROUTE: 'hooks/retrain-v2' });
    const added = registrations.slice(before).find((r) => r.metadata.name === 'retrainWebhook');
    const trigger = Object.values(added!.metadata.bindings).find((b) => b.type === 'httpTrigger');
    expect(trigger?.route).toBe('hooks/retrain-v2');
  });
});
