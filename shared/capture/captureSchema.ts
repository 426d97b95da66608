/**
 * The Avro schemas of Event Hubs Capture. Readers never trust these for decoding: every file embeds its own writer
 * schema, and we resolve it against `CAPTURE_READER_SCHEMA`. The writer schemas are here for the Capture-format
 * writer (tests, demo, bench) and to document both generations of the format.
 */
const PROPERTY_VALUE = ['long', 'double', 'string', 'bytes'];

export type CaptureSchemaVariant = 'classic' | 'nullable-properties';

/** The writer schema Capture embeds. Newer files add `null` to the union of `Properties` values. */
export function captureWriterSchema(variant: CaptureSchemaVariant = 'classic'): Record<string, unknown> {
  return {
    type: 'record',
    name: 'EventData',
    namespace: 'Microsoft.ServiceBus.Messaging',
    fields: [
      { name: 'SequenceNumber', type: 'long' },
      { name: 'Offset', type: 'string' },
      { name: 'EnqueuedTimeUtc', type: 'string' },
      { name: 'SystemProperties', type: { type: 'map', values: PROPERTY_VALUE } },
      {
        name: 'Properties',
        type: { type: 'map', values: variant === 'classic' ? PROPERTY_VALUE : [...PROPERTY_VALUE, 'null'] },
      },
      { name: 'Body', type: ['null', 'bytes'] },
    ],
  };
}

/**
 * What weeklyDrift reads. Fields absent here (Offset, the two property maps) are skipped by the resolver without
 * being materialised, which roughly doubles decode speed; `Body` is read as a string (Avro promotes bytes to string)
 * so the UTF-8 decode happens once, straight from the block buffer.
 */
export const CAPTURE_READER_SCHEMA = {
  type: 'record',
  name: 'EventData',
  namespace: 'Microsoft.ServiceBus.Messaging',
  fields: [
    { name: 'SequenceNumber', type: 'long' },
    { name: 'EnqueuedTimeUtc', type: 'string' },
    { name: 'Body', type: ['null', 'string'] },
  ],
} as const;

/**
 * The reader schema of `CaptureFileDecoder.ofViews` when avsc reads the records: `Body` stays the event's bytes, so
 * the fold reads exactly what the producer sent (a body that is not UTF-8 is told as such, not replaced).
 */
export const CAPTURE_VIEW_READER_SCHEMA = {
  ...CAPTURE_READER_SCHEMA,
  fields: [...CAPTURE_READER_SCHEMA.fields.slice(0, 2), { name: 'Body', type: ['null', 'bytes'] }],
} as const;

/** One record as `ofViews` reads it with avsc. */
export interface CaptureRecordBytes {
  SequenceNumber: number;
  EnqueuedTimeUtc: string;
  Body: Buffer | null;
}

/** One record as weeklyDrift sees it. */
export interface CaptureRecord {
  SequenceNumber: number;
  EnqueuedTimeUtc: string;
  /** The event body as UTF-8 text; `null` when the event had none. */
  Body: string | null;
}

/** One record as the Capture-format writer takes it. */
export interface CaptureEventData {
  SequenceNumber: number;
  Offset: string;
  EnqueuedTimeUtc: string;
  SystemProperties: Record<string, PropertyValue>;
  Properties: Record<string, PropertyValue | null>;
  Body: Buffer | null;
}

/** Property map values, wrapped the way avsc represents ambiguous unions (`{ long: 5 }`). */
export type PropertyValue = { long: number } | { double: number } | { string: string } | { bytes: Buffer };
