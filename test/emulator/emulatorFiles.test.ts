import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allSettingSpecs, defaultSettings } from '../../shared/config/settings.js';
import { localSettingsSample } from '../../shared/config/settingsDocs.js';

// The emulator files must agree with the app's settings, or `npm start` with the emulator fails at the first event.
const root = join(import.meta.dirname, '..', '..');
const settings = defaultSettings();

interface EmulatorConfig {
  UserConfig: {
    NamespaceConfig: Array<{
      Type: string;
      Name: string;
      Entities: Array<{ Name: string; PartitionCount: number; ConsumerGroups?: Array<{ Name: string }> }>;
    }>;
    LoggingConfig: { Type: string };
  };
}

describe('emulator/Config.json', async () => {
  const config = JSON.parse(await readFile(join(root, 'emulator', 'Config.json'), 'utf8')) as EmulatorConfig;
  const namespaces = config.UserConfig.NamespaceConfig;
  const hubs = new Map(namespaces[0]!.Entities.map((e) => [e.Name, e]));

  it('declares the one namespace the emulator allows, with the events and scored hubs the app uses', () => {
    expect(namespaces).toHaveLength(1);
    expect(namespaces[0]).toMatchObject({ Type: 'EventHub', Name: 'emulatorNs1' });
    expect([...hubs.keys()].sort()).toEqual([settings.scoring.eventsHub, settings.scoring.scoredHub].sort());
    expect(['File', 'Console', 'File,Console', 'Console,File']).toContain(config.UserConfig.LoggingConfig.Type);
  });

  it('gives scoreEvents its consumer group on the events hub ($default is implicit and may not be declared)', () => {
    const groups = hubs.get(settings.scoring.eventsHub)!.ConsumerGroups!.map((g) => g.Name);
    expect(groups).toContain(settings.scoring.consumerGroup);
    for (const hub of hubs.values()) expect((hub.ConsumerGroups ?? []).map((g) => g.Name)).not.toContain('$default');
  });

  it('uses the partition count infra deploys (an integer from 1 to 32, as the emulator’s schema wants)', async () => {
    const bicep = await readFile(join(root, 'infra', 'main.bicep'), 'utf8');
    const deployed = Number(/param eventHubPartitionCount int = (\d+)/.exec(bicep)![1]);
    for (const hub of hubs.values()) {
      expect(Number.isInteger(hub.PartitionCount)).toBe(true);
      expect(hub.PartitionCount).toBe(deployed);
    }
  });
});

describe('docker-compose.yml', async () => {
  const compose = parse(await readFile(join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<
      string,
      {
        image: string;
        ports?: string[];
        volumes?: string[];
        environment?: Record<string, string>;
        depends_on?: string[];
      }
    >;
  };
  const emulator = Object.values(compose.services).find((s) =>
    s.image.startsWith('mcr.microsoft.com/azure-messaging/eventhubs-emulator'),
  )!;
  const storage = Object.entries(compose.services).find(([, s]) =>
    s.image.startsWith('mcr.microsoft.com/azure-storage/azurite'),
  )!;

  it('runs the emulator on the AMQP port the sample connection string points at, with Config.json mounted', () => {
    expect(emulator.ports).toEqual(expect.arrayContaining(['5672:5672']));
    expect(emulator.volumes).toEqual(['./emulator/Config.json:/Eventhubs_Emulator/ConfigFiles/Config.json:ro']);
    const sample = localSettingsSample(allSettingSpecs()) as { Values: Record<string, string> };
    expect(sample.Values[settings.scoring.eventHubConnection]).toMatch(
      /^Endpoint=sb:\/\/localhost;.*UseDevelopmentEmulator=true;$/,
    );
  });

  it('gives the emulator its own Azurite, publishing no port, so it never collides with the app’s (npm start)', () => {
    const [name, service] = storage;
    expect(emulator.environment).toMatchObject({ BLOB_SERVER: name, METADATA_SERVER: name });
    expect(emulator.depends_on).toContain(name);
    expect(service.ports).toBeUndefined();
  });

  it('makes the user accept the emulator licence explicitly', () => {
    expect(emulator.environment!.ACCEPT_EULA).toMatch(/^\$\{ACCEPT_EULA:\?/);
  });
});
