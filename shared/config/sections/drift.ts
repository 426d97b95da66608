import { container, text } from '../setting.js';

/** Settings of weeklyDrift (and `mrm drift`). Thresholds: drift-methods.md "Decisions". */
export const driftSettings = {
  captureContainer: container('MRM_CAPTURE_CONTAINER', 'Container Event Hubs Capture writes Avro files to.', 'capture', ['weeklyDrift']),
  captureNameFormat: text(
    'MRM_CAPTURE_NAME_FORMAT',
    'Capture archive name format, as configured on the hubs (every token must stay).',
    '{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}',
    ['weeklyDrift'],
  ),
} as const;
