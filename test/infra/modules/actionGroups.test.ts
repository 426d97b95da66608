import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../shared/config/settings.js';
import { BicepFile, BicepScope, REPO_ROOT, bicepFiles, type Value } from '../bicepProgram.js';
import { appSettingsOf } from '../appSettingsOf.js';

const file = new BicepFile('infra/modules/actionGroups.bicep');
const main = BicepScope.of('infra/main.bicep');

/** The action groups module with chosen parameters, as a deployment would bind them. */
function deployedWith(overrides: Record<string, Value>): {
  retrain: Record<string, Value>;
  operators: Record<string, Value>;
} {
  const parameters: Record<string, Value> = {
    operatorEmails: '',
    operatorWebhookUrl: '',
    ...overrides,
  };
  const scope = new BicepScope(file, Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, () => v])));
  const group = (symbol: string) =>
    (scope.evaluate(file.resources().find((r) => r.symbol === symbol)!.body) as Record<string, Value>)
      .properties as Record<string, Value>;
  return { retrain: group('retrain'), operators: group('operators') };
}

describe('retrain action group', () => {
  it('is provisioned without its webhook, and lists no key during provisioning (the azd hooks wire it)', () => {
    const { retrain } = deployedWith({});
    expect(retrain.webhookReceivers).toEqual([]);
    expect(file.source).not.toMatch(/listKeys\(/);
    expect(bicepFiles().filter((path) => /listKeys\(/.test(new BicepFile(path).source))).toEqual([]);
  });

  it('gives the hook what it needs from main.bicep: the group, the app, the URL and the secure-webhook fields', () => {
    for (const output of [
      'AZURE_FUNCTION_APP_ID',
      'MRM_RETRAIN_ACTION_GROUP_ID',
      'MRM_RETRAIN_WEBHOOK_URL',
      'MRM_RETRAIN_WEBHOOK_AAD_OBJECT_ID',
      'MRM_RETRAIN_WEBHOOK_AAD_IDENTIFIER_URI',
      'MRM_RETRAIN_WEBHOOK_AAD_TENANT_ID',
      'AZURE_RESOURCE_MANAGER_ENDPOINT',
    ])
      expect(main.file.find('output', output), output).toBeDefined();
    const hook = readFileSync(join(REPO_ROOT, 'scripts/hooks/wire-retrain-webhook.mjs'), 'utf8');
    const read = [...hook.matchAll(/env\.([A-Z_]+)|'([A-Z]+_[A-Z_]+)'/g)].map((m) => m[1] ?? m[2]!);
    const outputs = new Set(main.file.all('output').map((o) => o.name));
    const switches = ['MRM_WIRE_RETRAIN_WEBHOOK', 'MRM_WIRE_WEBHOOK_TIMEOUT_SECONDS'];
    expect(read.filter((name) => !outputs.has(name) && !switches.includes(name))).toEqual([]);
  });

  it('switches the secure webhook on only with both the object id and the identifier URI, on both sides', () => {
    const mainWith = (params: Record<string, string>) =>
      new BicepScope(main.file, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, () => v])));
    const secured = mainWith({
      retrainWebhookAadObjectId: 'object-id',
      retrainWebhookAadIdentifierUri: 'api://mrm-webhook',
      retrainWebhookAadClientId: 'client-id',
      retrainWebhookAadTenantId: 'tenant-id',
    });
    expect(secured.value('MRM_RETRAIN_WEBHOOK_AAD_OBJECT_ID', 'output')).toBe('object-id');
    expect(secured.value('MRM_RETRAIN_WEBHOOK_AAD_IDENTIFIER_URI', 'output')).toBe('api://mrm-webhook');
    expect(secured.value('MRM_RETRAIN_WEBHOOK_AAD_TENANT_ID', 'output')).toBe('tenant-id');
    // v1.0 tokens carry the identifier URI, v2.0 tokens (Microsoft's setup) the client id: the app accepts both.
    expect(appSettingsOf(secured).values.get('MRM_ENTRA_AUDIENCE')).toBe('api://mrm-webhook,client-id');
    expect(appSettingsOf(secured).values.get('MRM_ENTRA_TENANT_ID')).toBe('tenant-id');
    expect(appSettingsOf(secured).values.get('MRM_ENTRA_REQUIRED_ROLE')).toBe('ActionGroupsSecureWebhook');

    const objectIdOnly = mainWith({ retrainWebhookAadObjectId: 'object-id', retrainWebhookAadClientId: 'client-id' });
    expect(objectIdOnly.value('MRM_RETRAIN_WEBHOOK_AAD_OBJECT_ID', 'output')).toBe('');
    expect(appSettingsOf(objectIdOnly).values.get('MRM_ENTRA_AUDIENCE')).toBe('');
    expect(appSettingsOf(main).values.get('MRM_ENTRA_AUDIENCE')).toBe('');
  });

  it('calls the route the function registers by default', () => {
    expect(main.value('retrainWebhookRoute', 'param')).toBe(defaultSettings().retraining.route);
    expect(appSettingsOf(main).values.get('MRM_WEBHOOK_ROUTE')).toBe(main.value('retrainWebhookRoute', 'param'));
    expect(main.file.source).toContain(
      "output MRM_RETRAIN_WEBHOOK_URL string = '${functionApp.outputs.uri}/api/${retrainWebhookRoute}'",
    );
  });
});

describe('operators action group', () => {
  it('mails every address given, ignoring blanks and spaces', () => {
    const { operators } = deployedWith({ operatorEmails: ' ops@example.com, ,ml@example.com ' });
    expect(operators.emailReceivers).toEqual([
      { name: 'operator-0', emailAddress: 'ops@example.com', useCommonAlertSchema: true },
      { name: 'operator-1', emailAddress: 'ml@example.com', useCommonAlertSchema: true },
    ]);
    expect(operators.webhookReceivers).toEqual([]);
  });

  it('adds the extra webhook when given', () => {
    const { operators } = deployedWith({ operatorWebhookUrl: 'https://hooks.example.com/x' });
    expect(operators.emailReceivers).toEqual([]);
    expect(operators.webhookReceivers).toEqual([
      { name: 'operatorsWebhook', serviceUri: 'https://hooks.example.com/x', useCommonAlertSchema: true },
    ]);
  });

  it('keeps short names within the 12 characters Azure allows', () => {
    const { retrain, operators } = deployedWith({});
    for (const group of [retrain, operators]) expect((group.groupShortName as string).length).toBeLessThanOrEqual(12);
  });
});
