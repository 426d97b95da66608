import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../shared/config/settings.js';
import { BicepFile, BicepScope, UNKNOWN, type Value } from '../bicepProgram.js';
import { appSettingsOf } from '../appSettingsOf.js';

const file = new BicepFile('infra/modules/actionGroups.bicep');
const main = BicepScope.of('infra/main.bicep');

/** The action groups module with chosen parameters, as a deployment would bind them. */
function deployedWith(overrides: Record<string, Value>): {
  retrain: Record<string, Value>;
  operators: Record<string, Value>;
} {
  const parameters: Record<string, Value> = {
    wireRetrainWebhook: true,
    webhookRoute: 'retrain',
    webhookAadObjectId: '',
    webhookAadIdentifierUri: '',
    webhookAadTenantId: '',
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
  it('calls retrainWebhook once, with the common alert schema and the function key', () => {
    const { retrain } = deployedWith({});
    expect(retrain.webhookReceivers).toEqual([
      {
        name: 'retrainWebhook',
        serviceUri: UNKNOWN,
        useCommonAlertSchema: true,
        useAadAuth: false,
        objectId: null,
        identifierUri: null,
        tenantId: null,
      },
    ]);
    expect(file.source).toMatch(
      /'https:\/\/\$\{site\.properties\.defaultHostName\}\/api\/\$\{webhookRoute\}\?code=\$\{listKeys\(/,
    );
  });

  it('uses the secure webhook (Entra) when the app registration is given, and the app checks its tokens', () => {
    const { retrain } = deployedWith({
      webhookAadObjectId: 'object-id',
      webhookAadIdentifierUri: 'api://mrm-webhook',
      webhookAadTenantId: 'tenant-id',
    });
    expect(retrain.webhookReceivers).toEqual([
      {
        name: 'retrainWebhook',
        serviceUri: UNKNOWN,
        useCommonAlertSchema: true,
        useAadAuth: true,
        objectId: 'object-id',
        identifierUri: 'api://mrm-webhook',
        tenantId: 'tenant-id',
      },
    ]);
    expect(appSettingsOf(main).scope.file.source).toMatch(/MRM_ENTRA_AUDIENCE: webhookAudience/);
  });

  it('has the app accept both audiences, identifier URI (v1.0 tokens) and client id (v2.0 tokens)', () => {
    const mainWith = (params: Record<string, string>) =>
      new BicepScope(
        main.file,
        Object.fromEntries(Object.entries(params).map(([k, v]) => [k, () => v])),
      );
    const secured = mainWith({
      retrainWebhookAadObjectId: 'object-id',
      retrainWebhookAadIdentifierUri: 'api://mrm-webhook',
      retrainWebhookAadClientId: 'client-id',
    });
    expect(appSettingsOf(secured).values.get('MRM_ENTRA_AUDIENCE')).toBe('api://mrm-webhook,client-id');
    const uriOnly = mainWith({
      retrainWebhookAadObjectId: 'object-id',
      retrainWebhookAadIdentifierUri: 'api://mrm-webhook',
    });
    expect(appSettingsOf(uriOnly).values.get('MRM_ENTRA_AUDIENCE')).toBe('api://mrm-webhook');
    expect(appSettingsOf(main).values.get('MRM_ENTRA_AUDIENCE')).toBe('');
  });

  it('needs both the object id and the identifier URI for Entra', () => {
    expect(deployedWith({ webhookAadObjectId: 'object-id' }).retrain.webhookReceivers).toMatchObject([
      { useAadAuth: false },
    ]);
  });

  it('can be left unwired until the host key can be listed', () => {
    expect(deployedWith({ wireRetrainWebhook: false }).retrain.webhookReceivers).toEqual([]);
  });

  it('calls the route the function registers by default', () => {
    expect(main.value('retrainWebhookRoute', 'param')).toBe(defaultSettings().retraining.route);
    expect(appSettingsOf(main).values.get('MRM_WEBHOOK_ROUTE')).toBe(main.value('retrainWebhookRoute', 'param'));
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
