import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import avro from 'avsc';
import { CaptureFileDecoder, type CaptureFileDecoderOptions } from '../../../shared/capture/captureFileDecoder.js';
import { CaptureFileWriter, captureEvent, encodeCaptureFile } from '../../../shared/capture/captureFileWriter.js';
import { captureWriterSchema, type CaptureRecord } from '../../../shared/capture/captureSchema.js';
import { CAPTURE_FAILURES } from '../../../shared/capture/captureFailures.js';
import type { Result } from '../../../shared/errors.js';
import type { CaptureFileSummary } from '../../../shared/capture/captureFileDecoder.js';

const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);

function events(n: number, start = 0) {
  return Array.from({ length: n }, (_, i) =>
    captureEvent({
      sequenceNumber: start + i,
      enqueuedTimeInMs: T0 + (start + i) * 1000,
      body: { id: `e${start + i}`, features: { x: start + i, c: i % 2 ? 'a' : 'b' } },
      properties: i % 3 === 0 ? { source: { string: 'test' }, attempt: { long: i } } : {},
    }),
  );
}

function decode(file: Buffer, chunkSizes: number[] = [file.length], options?: CaptureFileDecoderOptions) {
  const records: CaptureRecord[] = [];
  const decoder = new CaptureFileDecoder((r) => records.push(r), options);
  let pos = 0;
  let i = 0;
  while (pos < file.length) {
    const size = Math.max(1, chunkSizes[i++ % chunkSizes.length]!);
    decoder.push(file.subarray(pos, pos + size));
    pos += size;
  }
  const result: Result<CaptureFileSummary> = decoder.end();
  return { records, result };
}

describe('CaptureFileDecoder', () => {
  it.each(['null', 'deflate'] as const)(
    'reads back what the Capture writer wrote, codec %s, block by block',
    (codec) => {
      const written = events(2500);
      const { records, result } = decode(encodeCaptureFile(written, { codec, recordsPerBlock: 1000 }));
      expect(result).toEqual({ ok: true, value: expect.objectContaining({ records: 2500, blocks: 3, codec }) });
      expect(records).toHaveLength(2500);
      expect(records[1234]).toEqual({
        SequenceNumber: 1234,
        EnqueuedTimeUtc: written[1234]!.EnqueuedTimeUtc,
        Body: JSON.stringify({ id: 'e1234', features: { x: 1234, c: 'b' } }),
      });
    },
  );

  it('reads files of the newer schema whose Properties union includes null', () => {
    const written = events(10).map((e) => ({ ...e, Properties: { maybe: null, n: { double: 1.5 } } }));
    const { records, result } = decode(encodeCaptureFile(written, { schemaVariant: 'nullable-properties' }));
    expect(result.ok).toBe(true);
    expect(records.map((r) => r.SequenceNumber)).toEqual(written.map((e) => e.SequenceNumber));
  });

  it('accepts a header-only file (an empty Capture window) as zero records', () => {
    const { records, result } = decode(encodeCaptureFile([]));
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ records: 0, blocks: 0 }) });
    expect(records).toEqual([]);
  });

  it('keeps a null body as null', () => {
    const { records } = decode(
      encodeCaptureFile([captureEvent({ sequenceNumber: 1, enqueuedTimeInMs: T0, body: null })]),
    );
    expect(records[0]!.Body).toBeNull();
  });

  it('gives the same records however the bytes are chunked', () => {
    const file = encodeCaptureFile(events(300), { codec: 'deflate', recordsPerBlock: 37 });
    const whole = decode(file).records;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const chunked = decode(file, sizes);
        expect(chunked.result.ok).toBe(true);
        expect(chunked.records).toEqual(whole);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps no reference to a chunk once push returns: the caller may read the next chunk into the same memory', () => {
    const file = encodeCaptureFile(events(300), { codec: 'null', recordsPerBlock: 37 });
    const whole = decode(file).records;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        // One buffer for every chunk, as a store reading into the same memory gives them; scribbled over after use.
        const memory = Buffer.alloc(3000);
        const records: CaptureRecord[] = [];
        const decoder = new CaptureFileDecoder((r) => records.push(r));
        const viewed: CaptureRecord[] = [];
        const viewer = CaptureFileDecoder.ofViews((v) =>
          viewed.push({
            SequenceNumber: v.sequenceNumber,
            EnqueuedTimeUtc: v.enqueuedTimeUtc,
            Body: v.bodyStart < 0 ? null : v.block.toString('utf8', v.bodyStart, v.bodyEnd),
          }),
        );
        for (let pos = 0, i = 0; pos < file.length; i++) {
          const size = Math.min(sizes[i % sizes.length]!, file.length - pos);
          const chunk = memory.subarray(0, size);
          file.copy(chunk, 0, pos, pos + size);
          expect(decoder.push(chunk)).toBeUndefined();
          expect(viewer.push(chunk)).toBeUndefined();
          chunk.fill(0xff);
          pos += size;
        }
        expect(decoder.end().ok).toBe(true);
        expect(viewer.end().ok).toBe(true);
        expect(records).toEqual(whole);
        expect(viewed).toEqual(whole);
      }),
      { numRuns: 60 },
    );
  });

  it('reads files written by avsc’s own container encoder (an independent writer)', async () => {
    const type = avro.Type.forSchema(captureWriterSchema() as avro.Schema, { wrapUnions: 'auto' });
    const encoder = new avro.streams.BlockEncoder(type, { codec: 'deflate', blockSize: 2048 });
    const parts: Buffer[] = [];
    encoder.on('data', (chunk: Buffer) => parts.push(chunk));
    const done = new Promise((resolve) => encoder.on('end', resolve));
    for (const e of events(500)) encoder.write(e);
    encoder.end();
    await done;
    const { records, result } = decode(Buffer.concat(parts), [999]);
    expect(result.ok).toBe(true);
    expect(records.map((r) => r.SequenceNumber)).toEqual([...Array(500).keys()]);
  });

  it('reports a file cut anywhere inside a block or the header as CAPTURE.TRUNCATED', () => {
    const writer = new CaptureFileWriter({ codec: 'null' });
    const header = writer.header();
    const blocks = [writer.block(events(5)), writer.block(events(5, 5))];
    const file = Buffer.concat([header, ...blocks]);
    const boundaries = new Set([header.length, header.length + blocks[0]!.length, file.length]);
    for (let cut = 0; cut < file.length; cut++) {
      const { result } = decode(file.subarray(0, cut), [7]);
      if (boundaries.has(cut)) {
        // A cut on a block boundary is a valid, shorter file: Avro containers carry no record total.
        expect(result.ok, `cut at ${cut}`).toBe(true);
      } else {
        expect(result.ok ? undefined : result.error.code, `cut at ${cut}`).toBe(CAPTURE_FAILURES.truncated);
      }
    }
  });

  it('names a wrong sync marker CAPTURE.CORRUPT', () => {
    const file = encodeCaptureFile(events(20), { recordsPerBlock: 10 });
    file[file.length - 3]! ^= 0xff;
    const { result } = decode(file);
    expect(result.ok ? undefined : result.error).toMatchObject({
      code: CAPTURE_FAILURES.corrupt,
      message: expect.stringContaining('Sync marker after block 1'),
    });
  });

  it('names a deflate block that does not inflate CAPTURE.CORRUPT', () => {
    const writer = new CaptureFileWriter({ codec: 'deflate' });
    const long = avro.Type.forSchema('long');
    const garbage = Buffer.from('definitely not deflate data');
    const file = Buffer.concat([
      writer.header(),
      long.toBuffer(3),
      long.toBuffer(garbage.length),
      garbage,
      writer.syncMarker,
    ]);
    const { result } = decode(file);
    expect(result.ok ? undefined : result.error.code).toBe(CAPTURE_FAILURES.corrupt);
  });

  it('names records that do not fill their block CAPTURE.CORRUPT', () => {
    const writer = new CaptureFileWriter();
    const block = writer.block(events(4));
    // Claim 5 records where 4 were written.
    const long = avro.Type.forSchema('long');
    const tampered = Buffer.concat([long.toBuffer(5), block.subarray(long.toBuffer(4).length)]);
    const { result } = decode(Buffer.concat([writer.header(), tampered]));
    expect(result.ok ? undefined : result.error).toMatchObject({
      code: CAPTURE_FAILURES.corrupt,
      message: expect.stringContaining('Record 4 of block 0'),
    });
  });

  it('skips a file that is not Avro with CAPTURE.NOT_AVRO, as soon as the first bytes arrive', () => {
    const records: CaptureRecord[] = [];
    const decoder = new CaptureFileDecoder((r) => records.push(r));
    expect(decoder.push(Buffer.from('{"id":"json, not avro"}'))).toMatchObject({ code: CAPTURE_FAILURES.notAvro });
    expect(decoder.end()).toMatchObject({ ok: false, error: { code: CAPTURE_FAILURES.notAvro } });
  });

  it('skips an Avro file of another record type with CAPTURE.FOREIGN_SCHEMA', () => {
    const type = avro.Type.forSchema({
      type: 'record',
      name: 'Telemetry',
      fields: [{ name: 'Body', type: ['null', 'bytes'] }],
    });
    const long = avro.Type.forSchema('long');
    const meta = avro.Type.forSchema({ type: 'map', values: 'bytes' });
    const sync = Buffer.alloc(16, 7);
    const data = type.toBuffer({ Body: Buffer.from('x') });
    const file = Buffer.concat([
      Buffer.from('Obj\x01', 'latin1'),
      meta.toBuffer({ 'avro.schema': Buffer.from(JSON.stringify(type.schema())), 'avro.codec': Buffer.from('null') }),
      sync,
      long.toBuffer(1),
      long.toBuffer(data.length),
      data,
      sync,
    ]);
    const { records, result } = decode(file);
    expect(result.ok ? undefined : result.error).toMatchObject({
      code: CAPTURE_FAILURES.foreignSchema,
      message: expect.stringContaining('Telemetry'),
    });
    expect(records).toEqual([]);
  });

  it('skips a file whose embedded schema is not Avro with CAPTURE.BAD_SCHEMA', () => {
    const meta = avro.Type.forSchema({ type: 'map', values: 'bytes' });
    const file = Buffer.concat([
      Buffer.from('Obj\x01', 'latin1'),
      meta.toBuffer({ 'avro.schema': Buffer.from('{"type":"nonsense"}') }),
      Buffer.alloc(16),
    ]);
    expect(decode(file).result).toMatchObject({ ok: false, error: { code: CAPTURE_FAILURES.badSchema } });
  });

  it('refuses codecs Capture never writes with CAPTURE.UNSUPPORTED_CODEC', () => {
    const meta = avro.Type.forSchema({ type: 'map', values: 'bytes' });
    const file = Buffer.concat([
      Buffer.from('Obj\x01', 'latin1'),
      meta.toBuffer({
        'avro.schema': Buffer.from(JSON.stringify(captureWriterSchema())),
        'avro.codec': Buffer.from('snappy'),
      }),
      Buffer.alloc(16),
    ]);
    expect(decode(file).result).toMatchObject({
      ok: false,
      error: { code: CAPTURE_FAILURES.unsupportedCodec, detail: { codec: 'snappy' } },
    });
  });

  it('bounds memory: a block above the limit is refused before it is buffered', () => {
    const file = encodeCaptureFile(events(200), { recordsPerBlock: 200 });
    const records: CaptureRecord[] = [];
    const decoder = new CaptureFileDecoder((r) => records.push(r), { maxBlockSizeInBytes: 1024 });
    const headerLength = new CaptureFileWriter().header().length;
    // The header and the first block's count and size: the block itself never has to arrive.
    expect(decoder.push(file.subarray(0, headerLength + 8))).toMatchObject({
      code: CAPTURE_FAILURES.blockTooLarge,
      detail: { maxBlockSizeInBytes: 1024 },
    });
    expect(records).toEqual([]);
  });

  it('lets errors of the record callback propagate (they are bugs, not bad files)', () => {
    const decoder = new CaptureFileDecoder(() => {
      throw new TypeError('bug in the fold');
    });
    expect(() => decoder.push(encodeCaptureFile(events(3)))).toThrow('bug in the fold');
  });
});
