import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import avro from 'avsc';
import { deflateRawSync } from 'node:zlib';
import { readCaptureFile, readCaptureFileViews } from '../../../shared/capture/readCaptureFile.js';
import { CaptureFileWriter, captureEvent, encodeCaptureFile } from '../../../shared/capture/captureFileWriter.js';
import { captureWriterSchema, type CaptureRecord } from '../../../shared/capture/captureSchema.js';
import { CAPTURE_FAILURES } from '../../../shared/capture/captureFailures.js';
import type { CaptureReadOptions } from '../../../shared/capture/types.js';
import type { Implementation } from '../../../shared/contracts/implementation.js';
import { MrmError } from '../../../shared/errors.js';

const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);
const long = avro.Type.forSchema('long');
const meta = avro.Type.forSchema({ type: 'map', values: 'bytes' });

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

/** The file in chunks of the given sizes (cycled), counting how many the reader asked for. */
function chunked(file: Buffer, sizes: number[] = [file.length]) {
  const source = {
    pulled: 0,
    *[Symbol.iterator]() {
      for (let pos = 0, i = 0; pos < file.length; i++) {
        const size = Math.max(1, sizes[i % sizes.length]!);
        source.pulled++;
        yield file.subarray(pos, pos + size);
        pos += size;
      }
    },
  };
  return source;
}

// The contract of Capture reading, run against both implementations: avsc's container decoder behind the frame
// guard (plain) and the hand-read framing (fast). Same records, same failure codes; where the two word a failure
// differently, the fast reader's own tests (fast/captureFileDecoder.test.ts) pin its words.
describe.each(['plain', 'fast'] as const)('readCaptureFile, %s reading', (reading: Implementation) => {
  async function read(file: Buffer, sizes?: number[], options: CaptureReadOptions = {}) {
    const records: CaptureRecord[] = [];
    const result = await readCaptureFile(chunked(file, sizes), (r) => records.push(r), { ...options, reading });
    return { records, result };
  }

  it.each(['null', 'deflate'] as const)(
    'reads back what the Capture writer wrote, codec %s, block by block',
    async (codec) => {
      const written = events(2500);
      const file = encodeCaptureFile(written, { codec, recordsPerBlock: 1000 });
      const { records, result } = await read(file);
      expect(result).toEqual({ ok: true, value: { records: 2500, blocks: 3, codec, bytes: file.length } });
      expect(records).toHaveLength(2500);
      expect(records[1234]).toEqual({
        SequenceNumber: 1234,
        EnqueuedTimeUtc: written[1234]!.EnqueuedTimeUtc,
        Body: JSON.stringify({ id: 'e1234', features: { x: 1234, c: 'b' } }),
      });
    },
  );

  it('reads files of the newer schema whose Properties union includes null', async () => {
    const written = events(10).map((e) => ({ ...e, Properties: { maybe: null, n: { double: 1.5 } } }));
    const { records, result } = await read(encodeCaptureFile(written, { schemaVariant: 'nullable-properties' }));
    expect(result.ok).toBe(true);
    expect(records.map((r) => r.SequenceNumber)).toEqual(written.map((e) => e.SequenceNumber));
  });

  it('accepts a header-only file (an empty Capture window) as zero records', async () => {
    const { records, result } = await read(encodeCaptureFile([]));
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ records: 0, blocks: 0 }) });
    expect(records).toEqual([]);
  });

  it('reads past blocks of zero records, wherever they lie', async () => {
    const writer = new CaptureFileWriter({ codec: 'deflate' });
    const file = Buffer.concat([
      writer.header(),
      writer.block([]),
      writer.block(events(3)),
      writer.block([]),
      writer.block(events(2, 3)),
      writer.block([]),
    ]);
    const { records, result } = await read(file, [11]);
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ records: 5, blocks: 5 }) });
    expect(records.map((r) => r.SequenceNumber)).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps a null body as null', async () => {
    const { records } = await read(
      encodeCaptureFile([captureEvent({ sequenceNumber: 1, enqueuedTimeInMs: T0, body: null })]),
    );
    expect(records[0]!.Body).toBeNull();
  });

  it('gives the same records however the bytes are chunked', async () => {
    const file = encodeCaptureFile(events(300), { codec: 'deflate', recordsPerBlock: 37 });
    const whole = (await read(file)).records;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }), async (sizes) => {
        const again = await read(file, sizes);
        expect(again.result.ok).toBe(true);
        expect(again.records).toEqual(whole);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps no reference to a chunk once it asks for the next: the caller may read it into the same memory', async () => {
    const file = encodeCaptureFile(events(300), { codec: 'null', recordsPerBlock: 37 });
    const whole = (await read(file)).records;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 20 }), async (sizes) => {
        // One buffer for every chunk, as a store reading into the same memory gives them; scribbled over after use.
        function* sameMemory() {
          const memory = Buffer.alloc(3000);
          for (let pos = 0, i = 0; pos < file.length; i++) {
            const size = Math.min(sizes[i % sizes.length]!, file.length - pos);
            const chunk = memory.subarray(0, size);
            file.copy(chunk, 0, pos, pos + size);
            yield chunk;
            chunk.fill(0xff);
            pos += size;
          }
        }
        const records: CaptureRecord[] = [];
        const viewed: CaptureRecord[] = [];
        const read = await readCaptureFile(sameMemory(), (r) => records.push(r), { reading });
        const views = await readCaptureFileViews(
          sameMemory(),
          (v) =>
            viewed.push({
              SequenceNumber: v.sequenceNumber,
              EnqueuedTimeUtc: v.enqueuedTimeUtc,
              Body: v.bodyStart < 0 ? null : v.block.toString('utf8', v.bodyStart, v.bodyEnd),
            }),
          { reading },
        );
        expect(read.ok && views.ok).toBe(true);
        expect(records).toEqual(whole);
        expect(viewed).toEqual(whole);
      }),
      { numRuns: 40 },
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
    const { records, result } = await read(Buffer.concat(parts), [999]);
    expect(result.ok).toBe(true);
    expect(records.map((r) => r.SequenceNumber)).toEqual([...Array(500).keys()]);
  });

  it('reports a file cut anywhere inside a block or the header as CAPTURE.TRUNCATED', async () => {
    const writer = new CaptureFileWriter({ codec: 'null' });
    const header = writer.header();
    const blocks = [writer.block(events(5)), writer.block(events(5, 5))];
    const file = Buffer.concat([header, ...blocks]);
    const boundaries = new Set([header.length, header.length + blocks[0]!.length, file.length]);
    for (let cut = 0; cut < file.length; cut++) {
      const { result } = await read(file.subarray(0, cut), [7]);
      if (boundaries.has(cut)) {
        // A cut on a block boundary is a valid, shorter file: Avro containers carry no record total.
        expect(result.ok, `cut at ${cut}`).toBe(true);
      } else {
        expect(result.ok ? undefined : result.error.code, `cut at ${cut}`).toBe(CAPTURE_FAILURES.truncated);
      }
    }
    expect((await read(file.subarray(0, header.length + 30))).result).toMatchObject({
      ok: false,
      error: {
        message: 'File ends inside a block after 0 complete blocks (30 bytes left over)',
        detail: { blocks: 0, leftOverBytes: 30 },
      },
    });
    expect((await read(header.subarray(0, 9))).result).toMatchObject({
      ok: false,
      error: { message: 'File ends inside its Avro header (9 bytes)' },
    });
  });

  it('names a wrong sync marker CAPTURE.CORRUPT', async () => {
    const file = encodeCaptureFile(events(20), { recordsPerBlock: 10 });
    file[file.length - 3]! ^= 0xff;
    const { result } = await read(file);
    expect(result.ok ? undefined : result.error.code).toBe(CAPTURE_FAILURES.corrupt);
  });

  it('names a deflate block that does not inflate CAPTURE.CORRUPT', async () => {
    const writer = new CaptureFileWriter({ codec: 'deflate' });
    const garbage = Buffer.from('definitely not deflate data');
    const file = Buffer.concat([
      writer.header(),
      long.toBuffer(3),
      long.toBuffer(garbage.length),
      garbage,
      writer.syncMarker,
    ]);
    const { result } = await read(file);
    expect(result.ok ? undefined : result.error.code).toBe(CAPTURE_FAILURES.corrupt);
  });

  it('bounds memory: a deflate block inflating beyond the block limit is CAPTURE.CORRUPT, not held', async () => {
    const writer = new CaptureFileWriter({ codec: 'deflate' });
    // 64 KiB of zeros deflate to a few hundred bytes: small on the wire, above a 16 KiB limit once inflated.
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024));
    const file = Buffer.concat([
      writer.header(),
      long.toBuffer(1),
      long.toBuffer(bomb.length),
      bomb,
      writer.syncMarker,
    ]);
    const { result } = await read(file, undefined, { maxBlockSizeInBytes: 16 * 1024 });
    expect(result.ok ? undefined : result.error.code).toBe(CAPTURE_FAILURES.corrupt);
  });

  it('names records that do not fill their block CAPTURE.CORRUPT', async () => {
    const writer = new CaptureFileWriter();
    const block = writer.block(events(4));
    // Claim 5 records where 4 were written.
    const tampered = Buffer.concat([long.toBuffer(5), block.subarray(long.toBuffer(4).length)]);
    const { result } = await read(Buffer.concat([writer.header(), tampered]));
    expect(result.ok ? undefined : result.error.code).toBe(CAPTURE_FAILURES.corrupt);
  });

  it('skips a file that is not Avro with CAPTURE.NOT_AVRO, reading no further than its first chunk', async () => {
    const source = chunked(Buffer.from('{"id":"json, not avro", "padding": "and more of it"}'), [10]);
    const result = await readCaptureFile(source, () => {}, { reading });
    expect(result).toMatchObject({ ok: false, error: { code: CAPTURE_FAILURES.notAvro } });
    expect(source.pulled).toBe(1);
  });

  it('skips an Avro file of another record type with CAPTURE.FOREIGN_SCHEMA', async () => {
    const type = avro.Type.forSchema({
      type: 'record',
      name: 'Telemetry',
      fields: [{ name: 'Body', type: ['null', 'bytes'] }],
    });
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
    const { records, result } = await read(file);
    expect(result.ok ? undefined : result.error).toMatchObject({
      code: CAPTURE_FAILURES.foreignSchema,
      message: expect.stringContaining('Telemetry'),
    });
    expect(records).toEqual([]);
  });

  it('skips a file whose embedded schema is not Avro, or is missing, with CAPTURE.BAD_SCHEMA', async () => {
    const withSchema = Buffer.concat([
      Buffer.from('Obj\x01', 'latin1'),
      meta.toBuffer({ 'avro.schema': Buffer.from('{"type":"nonsense"}') }),
      Buffer.alloc(16),
    ]);
    expect((await read(withSchema)).result).toMatchObject({ ok: false, error: { code: CAPTURE_FAILURES.badSchema } });
    const without = Buffer.concat([
      Buffer.from('Obj\x01', 'latin1'),
      meta.toBuffer({ 'avro.codec': Buffer.from('null') }),
      Buffer.alloc(16),
    ]);
    expect((await read(without)).result).toMatchObject({
      ok: false,
      error: { code: CAPTURE_FAILURES.badSchema, message: 'Avro header has no avro.schema' },
    });
  });

  it('refuses codecs Capture never writes with CAPTURE.UNSUPPORTED_CODEC', async () => {
    const file = Buffer.concat([
      Buffer.from('Obj\x01', 'latin1'),
      meta.toBuffer({
        'avro.schema': Buffer.from(JSON.stringify(captureWriterSchema())),
        'avro.codec': Buffer.from('snappy'),
      }),
      Buffer.alloc(16),
    ]);
    expect((await read(file)).result).toMatchObject({
      ok: false,
      error: { code: CAPTURE_FAILURES.unsupportedCodec, detail: { codec: 'snappy' } },
    });
  });

  it('bounds memory: a header longer than its limit is CAPTURE.CORRUPT once that many bytes arrived', async () => {
    const file = encodeCaptureFile(events(3));
    const { result } = await read(file, [16], { maxHeaderSizeInBytes: 64 });
    expect(result).toMatchObject({
      ok: false,
      error: { code: CAPTURE_FAILURES.corrupt, message: 'Avro header longer than 64 bytes' },
    });
  });

  it('bounds memory: a block above the limit is refused from its head, before its bytes arrive', async () => {
    const file = encodeCaptureFile(events(200), { recordsPerBlock: 200 });
    const headerLength = new CaptureFileWriter().header().length;
    // The header and the first block's count and size: the block itself is never asked for.
    const source = chunked(file, [headerLength + 8, file.length]);
    const records: CaptureRecord[] = [];
    const result = await readCaptureFile(source, (r) => records.push(r), { reading, maxBlockSizeInBytes: 1024 });
    expect(result).toMatchObject({
      ok: false,
      error: { code: CAPTURE_FAILURES.blockTooLarge, detail: { block: 0, maxBlockSizeInBytes: 1024 } },
    });
    expect(source.pulled).toBe(1);
    expect(records).toEqual([]);
  });

  it('lets errors of the record callback propagate (they are bugs, not bad files)', async () => {
    const read = readCaptureFile(
      [encodeCaptureFile(events(3))],
      () => {
        throw new TypeError('bug in the fold');
      },
      { reading },
    );
    await expect(read).rejects.toThrow('bug in the fold');
  });

  it('lets errors of the chunks propagate (a store that cannot read now is not a bad file)', async () => {
    const file = encodeCaptureFile(events(30), { recordsPerBlock: 10 });
    async function* failing() {
      yield file.subarray(0, 200);
      throw new MrmError('transient', 'CAPTURE.READ_FAILED', 'the store went away');
    }
    await expect(readCaptureFile(failing(), () => {}, { reading })).rejects.toMatchObject({
      code: 'CAPTURE.READ_FAILED',
    });
  });
});
