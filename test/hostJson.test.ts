import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const host = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'host.json'), 'utf8')) as {
  functionTimeout: string;
  logging: { applicationInsights: { samplingSettings: { isEnabled: boolean; excludedTypes: string } } };
  extensions: { durableTask: Record<string, unknown> };
};

// The telemetry types the Functions host's adaptive sampling knows; anything else in excludedTypes is ignored silently.
const SAMPLING_TYPES = ['Dependency', 'Event', 'Exception', 'PageView', 'Request', 'Trace'];

describe('host.json', () => {
  it('keeps requests and exceptions out of sampling, naming only types sampling knows', () => {
    const excluded = host.logging.applicationInsights.samplingSettings.excludedTypes.split(';');
    expect(excluded.filter((type) => !SAMPLING_TYPES.includes(type))).toEqual([]);
    expect(excluded).toEqual(expect.arrayContaining(['Request', 'Exception']));
  });
});

describe('host.json durableTask (the driftBackfill task hub)', () => {
  const durable = host.extensions.durableTask;

  it('names its task hub as the Azure Storage provider allows (a letter, then letters and digits, 3 to 45)', () => {
    expect(durable.hubName).toMatch(/^[A-Za-z][A-Za-z0-9]{2,44}$/);
  });

  it('keeps the task hub on the host storage connection (AzureWebJobsStorage), the provider’s default', () => {
    // A storageProvider naming another connection, or another provider, would need its own settings and roles.
    expect(durable.storageProvider).toBeUndefined();
  });

  it('runs few activities per instance, so the platform scales the hub-hours out instead of crowding one instance', () => {
    expect(durable.maxConcurrentActivityFunctions).toBeGreaterThanOrEqual(1);
    expect(durable.maxConcurrentActivityFunctions).toBeLessThanOrEqual(8);
    expect(durable.maxConcurrentOrchestratorFunctions).toBeGreaterThanOrEqual(1);
  });

  it('leaves each activity the whole function timeout (an hour of a busy hub folds in minutes)', () => {
    expect(host.functionTimeout).toBe('00:30:00');
  });
});
