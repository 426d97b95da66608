import { describe, expect, it } from 'vitest';
import { BicepFile, BicepScope, bicepFiles, objectProperty, stringLiteral, type Resource } from './bicepProgram.js';

// Built-in role ids (Azure's built-in roles reference), by the name the role variable's comment must start with.
const BUILT_IN_ROLES: Record<string, string> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Blob Data Reader': '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Azure Event Hubs Data Receiver': 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde',
  'Azure Event Hubs Data Sender': '2b629674-e913-4c01-ae53-ef4638d8f975',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  'Monitoring Reader': '43d0d8ad-25c7-4714-9337-8ba259a9fe05',
  'Log Analytics Reader': '73c42c96-874c-492b-b04d-ab87d138a893',
  'AzureML Data Scientist': 'f6c7c914-8db3-469d-8ca1-694a8f32e121',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
};
// Roles that would make "least privilege" untrue: control-plane owners and the data-plane owners of whole services.
const TOO_BROAD: Record<string, string> = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  'Storage Account Contributor': '17d1049b-9a84-46fb-8f53-869881c3d3ab',
  'Azure Event Hubs Data Owner': 'f526a384-b230-433a-b45c-95f59c4a2dec',
  'Key Vault Administrator': '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  'Key Vault Secrets Officer': 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
};
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const files = bicepFiles().map((path) => new BicepFile(path));
const assignments = files.flatMap((file) =>
  file
    .resources()
    .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments')
    .map((resource) => ({ file, resource })),
);
const main = BicepScope.of('infra/main.bicep');
const customRoles = files.flatMap((file) =>
  file.resources().filter((r) => r.type === 'Microsoft.Authorization/roleDefinitions'),
);

function roleVariables(): { file: string; name: string; id: string; comment: string }[] {
  return files.flatMap((file) =>
    file.all('var').flatMap((declaration) => {
      const value = file.valueOf(declaration);
      const id = value && stringLiteral(value);
      return id && GUID.test(id) ? [{ file: file.path, name: declaration.name, id, comment: declaration.comment }] : [];
    }),
  );
}

describe('role assignments', () => {
  it('exist, in the modules that own the scopes', () => {
    expect(assignments.length).toBeGreaterThanOrEqual(12);
  });

  it('use role ids held in named variables whose comment names the role', () => {
    const roles = roleVariables();
    expect(roles.length).toBeGreaterThanOrEqual(8);
    for (const role of roles) {
      const named = Object.entries(BUILT_IN_ROLES).find(([name]) => role.comment.startsWith(name));
      expect(named, `${role.file} ${role.name}: comment "${role.comment}" names no known role`).toBeDefined();
      expect(role.id, `${role.file} ${role.name}`).toBe(named![1]);
    }
  });

  it('never grant a broad role', () => {
    const everything = files.map((f) => f.source).join('\n');
    for (const [name, id] of Object.entries(TOO_BROAD)) expect(everything.includes(id), name).toBe(false);
  });

  it.each(assignments.map(({ file, resource }) => [`${file.path} ${resource.symbol}`, file, resource] as const))(
    '%s: explicit scope, deterministic name guid(scope, principal, role), role from a variable',
    (_label, _file, resource: Resource) => {
      const scope = objectProperty(resource.body, 'scope')?.text;
      expect(scope, 'an explicit resource scope, never the whole resource group').toBeDefined();
      const properties = objectProperty(resource.body, 'properties');
      const principal = objectProperty(properties, 'principalId')!.text;
      const roleDefinition = objectProperty(properties, 'roleDefinitionId')!.text;
      const builtIn = /^subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', ([\w.]+)\)$/.exec(
        roleDefinition,
      )?.[1];
      // Or a custom role defined in the same file (the table-level access's query-only role).
      const custom = /^(\w+)\.id$/.exec(roleDefinition)?.[1];
      const role = builtIn ?? (custom && customRoles.some((r) => r.symbol === custom) ? `${custom}.id` : undefined);
      expect(role, roleDefinition).toBeDefined();
      expect(objectProperty(resource.body, 'name')!.text).toBe(`guid(${scope}.id, ${principal}, ${role})`);
      expect(objectProperty(properties, 'principalType')).toBeDefined();
    },
  );
});

describe('custom roles', () => {
  it('grant no data action, no write, no wildcard, and never the shared keys', () => {
    expect(customRoles.length).toBeGreaterThan(0);
    for (const role of customRoles) {
      const text = role.body.text;
      expect(text).not.toMatch(/dataActions/);
      expect(text).not.toMatch(/'[^']*(\*|\/write|\/delete|\/action)'/);
      expect(text).toMatch(/notActions: \[\s*'Microsoft\.OperationalInsights\/workspaces\/sharedKeys\/read'/);
    }
  });

  it('give the app table-level read access to exactly the tables its KQL reads, not the whole workspace', async () => {
    const { scoringTelemetryKql } = await import('../../shared/drift/run/scoringTelemetryQuery.js');
    const firstTable = /^\s*(\w+)/.exec(scoringTelemetryKql())![1];
    const rbac = main.module('rbac');
    expect(rbac.value('queriedTables')).toEqual([firstTable]);
    const everything = files.map((f) => f.source).join('\n');
    expect(everything.includes('73c42c96-874c-492b-b04d-ab87d138a893'), 'Log Analytics Reader on the workspace').toBe(
      false,
    );
  });
});

describe('who gets what', () => {
  const rbac = main.module('rbac');
  const containerRoles = (name: string): Record<string, string> => {
    const roles = rbac.value(name) as { container: string; role: string }[];
    const byId = Object.fromEntries(Object.entries(BUILT_IN_ROLES).map(([roleName, id]) => [id, roleName]));
    return Object.fromEntries(roles.map((r) => [r.container, byId[r.role]!]));
  };

  it('lets the app read, never rewrite, the captured events and the baseline, and write what it produces', () => {
    expect(containerRoles('appContainerRoles')).toEqual({
      capture: 'Storage Blob Data Reader',
      baseline: 'Storage Blob Data Reader',
      reports: 'Storage Blob Data Contributor',
      'drift-cache': 'Storage Blob Data Contributor',
      deadletters: 'Storage Blob Data Contributor',
      'webhook-state': 'Storage Blob Data Contributor',
      audit: 'Storage Blob Data Contributor',
      streamstate: 'Storage Blob Data Contributor',
    });
  });

  it('gives the app a role on every data container, and on nothing else in that account', () => {
    const created = Object.values(
      main.module('storage').value('containerNames', 'output') as Record<string, string>,
    ).sort();
    expect(Object.keys(containerRoles('appContainerRoles')).sort()).toEqual(created);
  });

  it('lets the deployer upload the baseline and read results, nothing more', () => {
    expect(containerRoles('deployerContainerRoles')).toEqual({
      baseline: 'Storage Blob Data Contributor',
      reports: 'Storage Blob Data Reader',
      deadletters: 'Storage Blob Data Reader',
    });
    const deployerAssignments = rbac.file
      .resources()
      .filter(
        (r) => r.type === 'Microsoft.Authorization/roleAssignments' && r.node.text.includes('deployerPrincipalId'),
      );
    for (const assignment of deployerAssignments)
      expect(assignment.node.text, assignment.symbol).toMatch(/if \(!empty\(deployerPrincipalId\)\)/);
  });

  it('lets the app receive from events and send to scored, per hub', () => {
    const byScope = (symbol: string) =>
      objectProperty(rbac.file.resources().find((r) => r.symbol === symbol)!.body, 'scope')!.text;
    expect(byScope('eventsReceiver')).toBe('eventsHub');
    expect(byScope('scoredSender')).toBe('scoredHub');
    expect(rbac.value('eventsHubName', 'param')).toBe('events');
    expect(rbac.value('scoredHubName', 'param')).toBe('scored');
  });

  it('gives the host Blob Data Owner on its own account only, not on the monitored data', () => {
    const owner = rbac.file
      .resources()
      .find(
        (r) => r.node.text.includes('storageBlobDataOwner') && r.type === 'Microsoft.Authorization/roleAssignments',
      )!;
    expect(objectProperty(owner.body, 'scope')!.text).toBe('hostStorage');
    const rbacCall = objectProperty(main.file.valueOf(main.file.find('module', 'rbac')!), 'params')!;
    const appCall = objectProperty(main.file.valueOf(main.file.find('module', 'functionApp')!), 'params')!;
    expect(objectProperty(rbacCall, 'hostStorageAccountName')!.text).toBe(
      objectProperty(appCall, 'hostStorageAccountName')!.text,
    );
    expect(objectProperty(rbacCall, 'hostStorageAccountName')!.text).not.toBe(
      objectProperty(rbacCall, 'dataStorageAccountName')!.text,
    );
  });

  it('gives the app queue and table access on the host account only: the Durable Functions task hub lives there', () => {
    const byRole = (role: string) =>
      rbac.file
        .resources()
        .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments' && r.node.text.includes(role));
    for (const role of ['storageQueueDataContributor', 'storageTableDataContributor']) {
      const granted = byRole(role);
      expect(
        granted.map((r) => objectProperty(r.body, 'scope')!.text),
        role,
      ).toEqual(['hostStorage']);
    }
    // Nothing else in infra/ grants a queue role (the data account has no queue).
    const everywhere = files.filter((f) => f.source.includes(BUILT_IN_ROLES['Storage Queue Data Contributor']!));
    expect(everywhere.map((f) => f.path)).toEqual(['infra/modules/rbac.bicep']);
  });

  it('lets Capture write its container and nothing else', () => {
    const storage = main.module('storage');
    const captureAssignments = storage.file
      .resources()
      .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');
    expect(captureAssignments).toHaveLength(1);
    const scope = objectProperty(captureAssignments[0]!.body, 'scope')!.text;
    const container = storage.file.resources().find((r) => r.symbol === scope)!;
    expect(storage.evaluate(objectProperty(container.body, 'name')!)).toBe('capture');
  });

  it('grants the Azure ML role only on the workspace given, and only when one is given', () => {
    expect(main.file.find('module', 'amlAccess')!.node.text).toMatch(/= if \(!empty\(amlWorkspaceName\)\)/);
    const aml = main.module('amlAccess');
    const assignment = aml.file.resources().find((r) => r.type === 'Microsoft.Authorization/roleAssignments')!;
    expect(objectProperty(assignment.body, 'scope')!.text).toBe('workspace');
  });
});

describe('no keys', () => {
  const resources = files.flatMap((file) =>
    file
      .resources()
      .filter((r) => !r.existing)
      .map((resource) => ({ file, resource })),
  );
  const property = (resource: Resource, ...path: string[]) =>
    path.reduce((node, key) => objectProperty(node, key), resource.body as Resource['body'] | undefined)?.text;

  it('turns shared keys and SAS off on every storage account, Event Hubs namespace and monitoring resource', () => {
    const checked = { storage: 0, eventHubs: 0, insights: 0, logs: 0 };
    for (const { resource } of resources) {
      if (resource.type === 'Microsoft.Storage/storageAccounts') {
        checked.storage++;
        expect(property(resource, 'properties', 'allowSharedKeyAccess')).toBe('false');
        expect(property(resource, 'properties', 'allowBlobPublicAccess')).toBe('false');
        expect(property(resource, 'properties', 'minimumTlsVersion')).toBe("'TLS1_2'");
      }
      if (resource.type === 'Microsoft.EventHub/namespaces') {
        checked.eventHubs++;
        expect(property(resource, 'properties', 'disableLocalAuth')).toBe('true');
      }
      if (resource.type === 'Microsoft.Insights/components') {
        checked.insights++;
        expect(property(resource, 'properties', 'DisableLocalAuth')).toBe('true');
      }
      if (resource.type === 'Microsoft.OperationalInsights/workspaces') {
        checked.logs++;
        expect(property(resource, 'properties', 'features', 'disableLocalAuth')).toBe('true');
      }
    }
    expect(checked).toEqual({ storage: 2, eventHubs: 1, insights: 1, logs: 1 });
  });

  it('lists no key at all: the retrain webhook key is read after deploy by the azd hook, never by a deployment', () => {
    const listings = files.flatMap((file) =>
      [...file.source.matchAll(/\blist\w*\(/g)].map((m) => `${file.path}: ${m[0]}`),
    );
    expect(listings).toEqual([]);
  });

  it('never outputs a secure parameter', () => {
    for (const file of files) {
      const secure = file
        .all('param')
        .filter((p) => p.decorators.includes('@secure()'))
        .map((p) => p.name);
      for (const output of file.all('output'))
        for (const name of secure)
          expect(output.node.text, `${file.path} ${output.name}`).not.toMatch(new RegExp(`\\b${name}\\b`));
    }
  });
});
