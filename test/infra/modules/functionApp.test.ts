import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allSettingSpecs, defaultSettings, loadSettings } from '../../../shared/config/settings.js';
import { BicepScope, REPO_ROOT, UNKNOWN, objectProperty, stringLiteral, type Value } from '../bicepProgram.js';
import { appSettingsOf } from '../appSettingsOf.js';

// The settings registry is the list of what the code reads; other parts of the app add to it, so nothing here names
// a setting of theirs: the comparison runs over whatever allSettingSpecs() declares at the time.
const declared = allSettingSpecs();
const readByApp = declared.filter((s) => !s.secret).map((s) => s.env);
const secrets = declared.filter((s) => s.secret).map((s) => s.env);
const settings = appSettingsOf();
const keys = [...settings.values.keys()];

/** Connection names the app's settings point at (MRM_*_CONNECTION_NAME), plus the host's own. */
function connectionNames(): Map<string, 'storage' | 'eventhubs'> {
  const names = new Map<string, 'storage' | 'eventhubs'>([['AzureWebJobsStorage', 'storage']]);
  for (const spec of declared.filter((s) => s.env.endsWith('_CONNECTION_NAME'))) {
    const value = settings.values.get(spec.env);
    if (typeof value === 'string' && value !== '')
      names.set(value, /EVENTHUB/.test(spec.env) ? 'eventhubs' : 'storage');
  }
  return names;
}

describe('Function App settings against the settings registry', () => {
  it('sets every setting the code reads', () => {
    const missing = readByApp.filter((env) => !settings.values.has(env));
    expect(missing, `declared in shared/config/sections but not set in ${settings.scope.file.path}`).toEqual([]);
  });

  it('sets nothing the code does not read, beyond the host connections', () => {
    const connectionPrefixes = [...connectionNames().keys()].map((name) => `${name}__`);
    const extras = keys.filter(
      (key) =>
        !readByApp.includes(key) &&
        !secrets.includes(key) &&
        !connectionPrefixes.some((prefix) => key.startsWith(prefix)),
    );
    expect(extras, 'set by the Function App module but not declared in shared/config/sections').toEqual([]);
  });

  it('sets a secret setting only as a Key Vault reference, and by default not at all', () => {
    expect(secrets.length).toBeGreaterThan(0);
    const set = keys.filter((key) => secrets.includes(key));
    expect(set).toEqual(['MRM_AML_KEY']);
    // Without an endpoint key (main.bicep's default) the setting is empty: Entra auth, no secret anywhere.
    expect(settings.values.get('MRM_AML_KEY')).toBe('');
    expect(settings.values.get('MRM_AML_AUTH')).toBe('');
    const source = settings.scope.file.source;
    expect(source).toMatch(
      /MRM_AML_KEY: empty\(amlKeySecretUri\) \? '' : '@Microsoft\.KeyVault\(SecretUri=\$\{amlKeySecretUri\}\)'/,
    );
    expect(source).toMatch(/MRM_AML_AUTH: empty\(amlKeySecretUri\) \? '' : 'key'/);
  });

  it('takes the endpoint key only from the Key Vault: key auth cannot be asked for without a key', () => {
    const main = BicepScope.of('infra/main.bicep');
    expect(main.file.source).toMatch(/@secure\(\)[^]*?param amlEndpointKey string = ''/);
    expect(main.file.source).toMatch(
      /amlKeySecretUri: !empty\(amlEndpointKey\) \? amlKeyVault\.outputs\.secretUri : ''/,
    );
    expect(settings.opaque[0]).toContain("!contains(['MRM_AML_AUTH', 'MRM_AML_KEY'], o.key)");
    expect(readFileSync(join(REPO_ROOT, 'infra', 'main.parameters.json'), 'utf8')).toContain(
      '"amlEndpointKey": { "value": "${MRM_AML_KEY=}" }',
    );
    expect(settings.scope.file.source).toMatch(/keyVaultReferenceIdentity: appIdentityId/);
  });

  it('takes user overrides only for settings the app reads', () => {
    expect(settings.opaque).toHaveLength(1);
    expect(settings.opaque[0]).toMatch(
      /^toObject\(filter\(items\(appSettingOverrides\), \w+ => contains\(appSettings, \w+\.key\)( && !contains\(\[[^\]]*\], \w+\.key\))?\)/,
    );
  });

  it('gives values the code accepts wherever they are known before deployment', () => {
    const environment = Object.fromEntries(
      [...settings.values].filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
    expect(Object.keys(environment).length).toBeGreaterThan(readByApp.length / 2);
    const loaded = loadSettings(environment);
    expect(loaded.ok ? 'valid' : loaded.error.message).toBe('valid');
  });

  it('leaves tuning settings empty, so the defaults stay in the code', () => {
    const tuning = ['MRM_MAX_BODY_BYTES', 'MRM_MIN_CONFIDENCE', 'MRM_QUERY_LIMIT'].filter((env) =>
      readByApp.includes(env),
    );
    expect(tuning.length).toBeGreaterThan(0);
    for (const env of tuning) expect(settings.values.get(env)).toBe('');
  });
});

describe('Function App connections', () => {
  it('connects to every storage account and Event Hubs namespace with the managed identity', () => {
    const names = connectionNames();
    expect([...names.values()].sort()).toEqual(['eventhubs', 'storage', 'storage']);
    for (const [name, kind] of names) {
      expect(settings.values.get(`${name}__credential`), name).toBe('managedidentity');
      expect(settings.values.has(`${name}__clientId`), name).toBe(true);
      expect(
        settings.values.has(kind === 'storage' ? `${name}__blobServiceUri` : `${name}__fullyQualifiedNamespace`),
        name,
      ).toBe(true);
      expect(settings.values.has(name), `${name} as a connection string`).toBe(false);
    }
  });

  it('gives the host connection blob, queue and table endpoints: the Durable Functions task hub uses all three', () => {
    for (const service of ['blob', 'queue', 'table'])
      expect(settings.values.has(`AzureWebJobsStorage__${service}ServiceUri`), service).toBe(true);
  });

  it('passes the same identity to every connection, to App Insights and to the SDKs', () => {
    const clientIdSources = new Set<string>();
    const file = settings.scope.file;
    for (const declaration of file.all('var')) {
      const value = file.valueOf(declaration);
      if (value?.type !== 'object') continue;
      for (const property of value.namedChildren.filter((c) => c.type === 'object_property')) {
        const key = property.namedChildren[0]!.text;
        if (key.endsWith('__clientId') || key === 'AZURE_CLIENT_ID')
          clientIdSources.add(property.namedChildren[1]!.text);
        if (key === 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING')
          clientIdSources.add(
            property.namedChildren[1]!.text.replace(/^'Authorization=AAD;ClientId=\$\{(\w+)\}'$/, '$1'),
          );
      }
    }
    expect([...clientIdSources]).toEqual(['appIdentityClientId']);
  });

  it('holds no key or connection string with a secret', () => {
    const secretLooking = [...settings.values].filter(
      ([, value]) => typeof value === 'string' && /AccountKey=|SharedAccessKey=/i.test(value),
    );
    expect(secretLooking).toEqual([]);
    expect(settings.scope.file.source).not.toMatch(/listKeys|listConnectionStrings|AccountKey/);
  });
});

describe('Function App hosting', () => {
  const file = settings.scope.file;
  const plan = file.resources().find((r) => r.type === 'Microsoft.Web/serverfarms')!;
  const site = file.resources().find((r) => r.type === 'Microsoft.Web/sites')!;
  const evaluated = (node: Parameters<typeof settings.scope.evaluate>[0] | undefined): Value =>
    node ? settings.scope.evaluate(node) : UNKNOWN;

  it('runs on Flex Consumption, Linux, Node 22', () => {
    expect(evaluated(objectProperty(plan.body, 'sku'))).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
    expect(stringLiteral(objectProperty(site.body, 'kind')!)).toBe('functionapp,linux');
    const runtime = objectProperty(
      objectProperty(objectProperty(site.body, 'properties'), 'functionAppConfig'),
      'runtime',
    );
    expect(evaluated(runtime)).toEqual({ name: 'node', version: '22' });
  });

  it('sets none of the app settings Flex Consumption rejects', () => {
    for (const rejected of [
      'FUNCTIONS_WORKER_RUNTIME',
      'FUNCTIONS_EXTENSION_VERSION',
      'WEBSITE_RUN_FROM_PACKAGE',
      'WEBSITE_NODE_DEFAULT_VERSION',
      'AzureWebJobsStorage',
    ]) {
      expect(settings.values.has(rejected), rejected).toBe(false);
    }
  });

  it('deploys its package with the user-assigned identity, and uses only that identity', () => {
    const storage = objectProperty(
      objectProperty(objectProperty(objectProperty(site.body, 'properties'), 'functionAppConfig'), 'deployment'),
      'storage',
    );
    const authentication = objectProperty(storage, 'authentication');
    expect(stringLiteral(objectProperty(authentication, 'type')!)).toBe('UserAssignedIdentity');
    expect(objectProperty(authentication, 'userAssignedIdentityResourceId')!.text).toBe('appIdentityId');
    expect(stringLiteral(objectProperty(objectProperty(site.body, 'identity'), 'type')!)).toBe('UserAssigned');
    expect(evaluated(objectProperty(objectProperty(site.body, 'properties'), 'httpsOnly'))).toBe(true);
  });
});

describe('settings that triggers read as binding expressions', () => {
  it('get a value, never the empty "use the default" (the host resolves %NAME% itself)', () => {
    const named = new Set<string>(['MRM_DRIFT_SCHEDULE']);
    for (const file of sourceFiles('functions'))
      for (const match of readFileSync(file, 'utf8').matchAll(/%([A-Z][A-Z0-9_]*)%/g)) named.add(match[1]!);
    for (const env of named) {
      expect(settings.values.has(env), env).toBe(true);
      expect(settings.values.get(env), env).not.toBe('');
    }
  });

  it('schedules weeklyDrift as the code does unless told otherwise', () => {
    expect(settings.values.get('MRM_DRIFT_SCHEDULE')).toBe(defaultSettings().drift.driftSchedule);
  });
});

function sourceFiles(dir: string): string[] {
  const root = join(REPO_ROOT, dir);
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(root, name));
}
