import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import avro from 'avsc';
import {
  captureWriterSchema,
  type CaptureEventData,
  type CaptureSchemaVariant,
  type PropertyValue,
} from './captureSchema.js';
import { formatEnqueuedTimeUtc } from './enqueuedTime.js';

export interface CaptureFileWriterOptions {
  /** Default 'null' (what Capture writes unless told otherwise). */
  codec?: 'null' | 'deflate';
  /** Default 'classic'. */
  schemaVariant?: CaptureSchemaVariant;
  /** 16 bytes; random by default. Fix it for byte-identical files. */
  syncMarker?: Buffer;
}

/**
 * Writes files in the Event Hubs Capture format (Avro object container, EventData records), header first, then one
 * block per call, so large files can be streamed to disk. The Event Hubs emulator has no Capture: tests, the demo
 * and the benchmark make their Capture files with this.
 */
export class CaptureFileWriter {
  private readonly type: avro.Type;
  private readonly codec: 'null' | 'deflate';
  private readonly schemaText: string;
  readonly syncMarker: Buffer;

  constructor(options: CaptureFileWriterOptions = {}) {
    this.codec = options.codec ?? 'null';
    this.schemaText = JSON.stringify(captureWriterSchema(options.schemaVariant ?? 'classic'));
    this.type = avro.Type.forSchema(JSON.parse(this.schemaText) as avro.Schema, { wrapUnions: 'auto' });
    this.syncMarker = options.syncMarker ?? randomBytes(16);
    if (this.syncMarker.length !== 16) throw new Error('syncMarker must be 16 bytes');
  }

  /** The file header: magic, metadata (schema, codec), sync marker. */
  header(): Buffer {
    const meta = avro.Type.forSchema({ type: 'map', values: 'bytes' });
    return Buffer.concat([
      Buffer.from('Obj\x01', 'latin1'),
      meta.toBuffer({ 'avro.schema': Buffer.from(this.schemaText), 'avro.codec': Buffer.from(this.codec) }),
      this.syncMarker,
    ]);
  }

  /** One data block holding `records` (at least one). */
  block(records: readonly CaptureEventData[]): Buffer {
    const encoded = Buffer.concat(records.map((record) => this.type.toBuffer(record)));
    const data = this.codec === 'deflate' ? deflateRawSync(encoded) : encoded;
    const long = avro.Type.forSchema('long');
    return Buffer.concat([long.toBuffer(records.length), long.toBuffer(data.length), data, this.syncMarker]);
  }
}

/** A whole Capture file in memory: `recordsPerBlock` records per block (default 1000); no records gives a header-only file. */
export function encodeCaptureFile(
  records: readonly CaptureEventData[],
  options: CaptureFileWriterOptions & { recordsPerBlock?: number } = {},
): Buffer {
  const writer = new CaptureFileWriter(options);
  const perBlock = options.recordsPerBlock ?? 1000;
  const parts = [writer.header()];
  for (let start = 0; start < records.length; start += perBlock)
    parts.push(writer.block(records.slice(start, start + perBlock)));
  return Buffer.concat(parts);
}

/** A Capture record for a body, with the system properties Capture fills in. */
export function captureEvent(input: {
  sequenceNumber: number;
  enqueuedTimeInMs: number;
  body: string | Buffer | object | null;
  offset?: string;
  properties?: Record<string, PropertyValue | null>;
}): CaptureEventData {
  const body =
    input.body === null
      ? null
      : Buffer.isBuffer(input.body)
        ? input.body
        : Buffer.from(typeof input.body === 'string' ? input.body : JSON.stringify(input.body));
  return {
    SequenceNumber: input.sequenceNumber,
    Offset: input.offset ?? String(input.sequenceNumber * 512),
    EnqueuedTimeUtc: formatEnqueuedTimeUtc(input.enqueuedTimeInMs),
    SystemProperties: {
      'x-opt-sequence-number': { long: input.sequenceNumber },
      'x-opt-enqueued-time': { long: input.enqueuedTimeInMs },
    },
    Properties: input.properties ?? {},
    Body: body,
  };
}
