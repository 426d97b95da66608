import { describe, expect, it } from 'vitest';
import { allSettingSpecs } from '../../../shared/config/settings.js';
import { BicepScope, objectProperty } from '../bicepProgram.js';
import { appSettingsOf } from '../appSettingsOf.js';

const main = BicepScope.of('infra/main.bicep');
const storage = main.module('storage');
const created = Object.values(storage.value('containerNames', 'output') as Record<string, string>);
const appSettings = appSettingsOf(main).values;
// Every container setting, whoever declared it: their defaults are the containers Azure must have.
const containerSettings = allSettingSpecs().filter((spec) => spec.env.endsWith('_CONTAINER'));

describe('storage', () => {
  it('creates the container of every *_CONTAINER setting, under its default name', () => {
    expect(containerSettings.length).toBeGreaterThanOrEqual(6);
    const missing = containerSettings
      .filter((spec) => !created.includes(spec.defaultValue as string))
      .map((spec) => `${spec.env}=${String(spec.defaultValue)}`);
    expect(missing, 'container settings whose default storage.bicep does not create').toEqual([]);
  });

  it('creates no data container the app has no setting for', () => {
    const named = containerSettings.map((spec) => spec.defaultValue);
    expect(created.filter((name) => !named.includes(name))).toEqual([]);
  });

  it('points every container setting of the app at the container created for it', () => {
    for (const spec of containerSettings) expect(appSettings.get(spec.env), spec.env).toBe(spec.defaultValue);
  });

  it('keeps the Flex deployment package on the host account, apart from the data', () => {
    const resources = storage.file.resources();
    const parentOf = (symbol: string) =>
      objectProperty(resources.find((r) => r.symbol === symbol)!.body, 'parent')?.text;
    const deployment = resources.find((r) => objectProperty(r.body, 'name')!.text === 'deploymentContainerName')!;
    expect(parentOf(parentOf(deployment.symbol)!)).toBe('hostAccount');
    const dataContainers = resources.find(
      (r) => r.type.endsWith('/containers') && r.node.text.includes('items(containerNames)'),
    )!;
    expect(parentOf(parentOf(dataContainers.symbol)!)).toBe('dataAccount');
  });
});
