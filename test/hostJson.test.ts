import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const host = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'host.json'), 'utf8')) as {
  logging: { applicationInsights: { samplingSettings: { isEnabled: boolean; excludedTypes: string } } };
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
