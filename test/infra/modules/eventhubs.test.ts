import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../shared/config/settings.js';
import { BicepScope, objectProperty, type Value } from '../bicepProgram.js';
import { appSettingsOf } from '../appSettingsOf.js';

// The names the code defaults to (for local runs) are the names Azure gets, so nothing needs setting twice.
const main = BicepScope.of('infra/main.bicep');
const eventHubs = main.module('eventHubs');
const defaults = defaultSettings();
const appSettings = appSettingsOf(main).values;
const hubs = eventHubs.file.resources().find((r) => r.type === 'Microsoft.EventHub/namespaces/eventhubs')!;
const forExpression = hubs.node.namedChildren[hubs.node.namedChildren.length - 1]!;

function hubNames(): Value {
  // `[for hubName in [eventsHubName, scoredHubName]: {...}]`: the array after `in`.
  const source = forExpression.descendantsOfType('array')[0]!;
  return eventHubs.evaluate(source);
}

describe('Event Hubs', () => {
  it('creates the hubs and consumer group the code defaults to, and sets them in the app', () => {
    expect(hubNames()).toEqual([defaults.scoring.eventsHub, defaults.scoring.scoredHub]);
    expect(eventHubs.value('consumerGroupName', 'output')).toBe(defaults.scoring.consumerGroup);
    expect(appSettings.get('MRM_EVENTS_HUB')).toBe('events');
    expect(appSettings.get('MRM_SCORED_HUB')).toBe('scored');
    expect(appSettings.get('MRM_CONSUMER_GROUP')).toBe('scoreevents');
    const group = eventHubs.file
      .resources()
      .find((r) => r.type === 'Microsoft.EventHub/namespaces/eventhubs/consumergroups')!;
    expect(objectProperty(group.body, 'parent')!.text).toBe('hubs[0]');
  });

  it('captures both hubs as Avro, skipping empty windows, with the interval and size given', () => {
    const capture = eventHubs.evaluate(
      objectProperty(objectProperty(hubs.body, 'properties'), 'captureDescription')!,
    ) as Record<string, Value>;
    expect(capture).toMatchObject({ enabled: true, encoding: 'Avro', skipEmptyArchives: true });
    expect(
      objectProperty(
        objectProperty(objectProperty(hubs.body, 'properties'), 'captureDescription'),
        'intervalInSeconds',
      )!.text,
    ).toBe('captureIntervalInSeconds');
    expect(
      objectProperty(objectProperty(objectProperty(hubs.body, 'properties'), 'captureDescription'), 'sizeLimitInBytes')!
        .text,
    ).toBe('captureSizeLimitInBytes');
    const destination = capture.destination as Record<string, Value>;
    expect(destination.name).toBe('EventHubArchive.AzureBlockBlob');
    expect(destination.properties).toMatchObject({
      blobContainer: defaults.drift.captureContainer,
      archiveNameFormat: defaults.drift.captureNameFormat,
    });
  });

  it('tells the app the archive name format Capture writes', () => {
    expect(appSettings.get('MRM_CAPTURE_NAME_FORMAT')).toBe(eventHubs.value('captureNameFormat'));
    expect(appSettings.get('MRM_CAPTURE_CONTAINER')).toBe(defaults.drift.captureContainer);
  });

  it('writes Capture files with its own identity, not a key', () => {
    const destination = objectProperty(
      objectProperty(objectProperty(objectProperty(hubs.body, 'properties'), 'captureDescription'), 'destination'),
      'identity',
    );
    expect(eventHubs.evaluate(objectProperty(destination, 'type')!)).toBe('UserAssigned');
    const identities = objectProperty(main.file.valueOf(main.file.find('module', 'eventHubs')!), 'params')!;
    expect(objectProperty(identities, 'captureIdentityId')!.text).toBe('identities.outputs.captureIdentityId');
  });

  it('uses a Standard namespace (Capture needs it) and the partition count given', () => {
    const namespace = eventHubs.file.resources().find((r) => r.type === 'Microsoft.EventHub/namespaces')!;
    expect(eventHubs.evaluate(objectProperty(namespace.body, 'sku')!)).toMatchObject({
      name: 'Standard',
      tier: 'Standard',
    });
    expect(objectProperty(objectProperty(hubs.body, 'properties'), 'partitionCount')!.text).toBe('partitionCount');
    expect(main.value('eventHubPartitionCount', 'param')).toBe(4);
  });
});
