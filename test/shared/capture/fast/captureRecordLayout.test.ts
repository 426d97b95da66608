import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import avro from 'avsc';
import { readCaptureFile, readCaptureFileViews } from '../../../../shared/capture/readCaptureFile.js';
import type { CaptureRecordView } from '../../../../shared/capture/types.js';
import { CaptureFileWriter, captureEvent, encodeCaptureFile } from '../../../../shared/capture/captureFileWriter.js';
import { captureWriterSchema, type CaptureRecord } from '../../../../shared/capture/captureSchema.js';
import { CAPTURE_FAILURES } from '../../../../shared/capture/captureFailures.js';
import type { Implementation } from '../../../../shared/contracts/implementation.js';

const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);

/** What a view stands for, in the shape of the avsc record. */
async function viewsOf(reading: Implementation, file: Buffer, chunkSize = file.length) {
  const records: CaptureRecord[] = [];
  const chunks = Array.from({ length: Math.ceil(file.length / chunkSize) }, (_, i) =>
    file.subarray(i * chunkSize, (i + 1) * chunkSize),
  );
  const result = await readCaptureFileViews(
    chunks,
    (v: CaptureRecordView) =>
      records.push({
        SequenceNumber: v.sequenceNumber,
        EnqueuedTimeUtc: v.enqueuedTimeUtc,
        Body: v.bodyStart < 0 ? null : v.block.toString('utf8', v.bodyStart, v.bodyEnd),
      }),
    { reading },
  );
  return { records, result };
}

/** The reference: avsc's container decoder and its records. */
async function recordsOf(file: Buffer) {
  const records: CaptureRecord[] = [];
  const result = await readCaptureFile([file], (r) => records.push(r), { reading: 'plain' });
  return { records, result };
}

/** A container file of `type` records, one block, written by avsc (an independent writer of the layout). */
function fileOf(type: avro.Type, values: unknown[]): Buffer {
  const long = avro.Type.forSchema('long');
  const meta = avro.Type.forSchema({ type: 'map', values: 'bytes' });
  const sync = Buffer.alloc(16, 9);
  const data = Buffer.concat(values.map((v) => type.toBuffer(v)));
  return Buffer.concat([
    Buffer.from('Obj\x01', 'latin1'),
    meta.toBuffer({ 'avro.schema': Buffer.from(JSON.stringify(type.schema())), 'avro.codec': Buffer.from('null') }),
    sync,
    long.toBuffer(values.length),
    long.toBuffer(data.length),
    data,
    sync,
  ]);
}

const body = fc.oneof(
  fc.constant(null),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
);
const property = fc.oneof(
  fc.record({ long: fc.integer({ min: -(2 ** 53 - 2), max: 2 ** 53 - 2 }) }),
  fc.record({ double: fc.double() }),
  fc.record({ string: fc.string({ maxLength: 8 }) }),
  fc.record({ bytes: fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)) }),
);

// The contract of Capture reading as views, run against both implementations: avsc's container decoder and its
// records (plain) and the hand-read framing and writer layout (fast). Each must give the records avsc decodes, and
// refuse what it refuses.
describe.each(['plain', 'fast'] as const)('readCaptureFileViews, %s reading', (reading) => {
  it('gives exactly the records avsc decodes: any bodies, property maps, both codecs and schema variants, any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            // avsc writes longs up to 2^53 - 2.
            sequence: fc.integer({ min: 0, max: 2 ** 53 - 2 }),
            second: fc.nat(5),
            body,
            properties: fc.dictionary(fc.string({ maxLength: 6 }), property, { maxKeys: 3 }),
          }),
          { maxLength: 40 },
        ),
        fc.constantFrom('null', 'deflate') as fc.Arbitrary<'null' | 'deflate'>,
        fc.constantFrom('classic', 'nullable-properties') as fc.Arbitrary<'classic' | 'nullable-properties'>,
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 500 }),
        async (events, codec, schemaVariant, recordsPerBlock, chunkSize) => {
          const file = encodeCaptureFile(
            events.map((e) =>
              captureEvent({
                sequenceNumber: e.sequence,
                enqueuedTimeInMs: T0 + e.second * 1000,
                body: e.body,
                properties: e.properties,
              }),
            ),
            { codec, schemaVariant, recordsPerBlock },
          );
          const expected = await recordsOf(file);
          const actual = await viewsOf(reading, file, chunkSize);
          expect(actual.result).toEqual(expected.result);
          expect(actual.records).toEqual(expected.records);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads the three fields among writer fields of every Avro type, and the encodings Avro promotes to them', async () => {
    const node: avro.Schema = {
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'label', type: 'string' },
        { name: 'next', type: ['null', 'Node'] },
      ],
    };
    const type = avro.Type.forSchema(
      {
        type: 'record',
        name: 'EventData',
        namespace: 'Microsoft.ServiceBus.Messaging',
        fields: [
          { name: 'flag', type: 'boolean' },
          { name: 'SequenceNumber', type: 'int' },
          { name: 'ratio', type: 'float' },
          { name: 'EnqueuedTimeUtc', type: 'bytes' },
          { name: 'weight', type: 'double' },
          { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B', 'C'] } },
          { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 5 } },
          { name: 'tags', type: { type: 'array', items: 'string' } },
          { name: 'chain', type: node },
          { name: 'Body', type: 'bytes' },
          { name: 'extra', type: ['null', 'long', { type: 'map', values: 'double' }] },
        ],
      },
      { wrapUnions: 'auto' },
    );
    const values = [0, 1, 2].map((i) => ({
      flag: i % 2 === 0,
      SequenceNumber: 100 + i,
      ratio: 0.5,
      EnqueuedTimeUtc: Buffer.from(`1/15/2024 10:00:0${i} AM`),
      weight: -i,
      kind: 'C',
      hash: Buffer.alloc(5, i),
      tags: ['a', 'bb'].slice(0, i),
      chain: { label: 'x', next: i > 0 ? { label: 'y', next: null } : null },
      Body: Buffer.from(`{"n":${i}}`),
      extra: i === 0 ? null : i === 1 ? 7 : { a: 1.5 },
    }));
    const file = fileOf(type, values);
    const views = await viewsOf(reading, file);
    expect(views.result.ok).toBe(true);
    expect(views.records).toEqual((await recordsOf(file)).records);
    expect(views.records.map((r) => r.Body)).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
  });

  it('reads SequenceNumber longs of either sign and any varint length as avsc does, and refuses an 11-byte varint', async () => {
    const type = avro.Type.forSchema({
      type: 'record',
      name: 'EventData',
      namespace: 'Microsoft.ServiceBus.Messaging',
      fields: [
        { name: 'SequenceNumber', type: 'long' },
        { name: 'EnqueuedTimeUtc', type: 'string' },
        { name: 'Body', type: 'bytes' },
      ],
    });
    const record = (n: number) => ({
      SequenceNumber: n,
      EnqueuedTimeUtc: '1/15/2024 10:00:00 AM',
      Body: Buffer.from('{}'),
    });
    // Varints of 1 to 8 bytes at their boundaries (±2^(7k - 1)), both signs, up to avsc's limit of ±(2^53 - 2)
    // (avsc writes -(2^53 - 2) as +(2^53 - 2): a double cannot hold its zig-zag code, so avsc's reading is the truth).
    const boundaries = [
      ...Array.from({ length: 7 }, (_, k) => 2 ** (7 * (k + 1) - 1)).flatMap((b) => [b - 1, b, -b, -b - 1]),
      2 ** 53 - 2,
      -(2 ** 53 - 2),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -(2 ** 53 - 2), max: 2 ** 53 - 2 }), { maxLength: 20 }),
        async (numbers) => {
          const file = fileOf(type, [...boundaries, 0, -1, ...numbers].map(record));
          const views = await viewsOf(reading, file);
          expect(views.result.ok).toBe(true);
          expect(views.records).toEqual((await recordsOf(file)).records);
        },
      ),
      { numRuns: 100 },
    );
    // Ten continuation bytes where the one-byte SequenceNumber was (the block size, zig-zag, grows by 2 per byte).
    const file = fileOf(type, [record(1)]);
    const at = file.indexOf(type.toBuffer(record(1)));
    const tooLong = Buffer.concat([
      file.subarray(0, at - 1),
      Buffer.from([file[at - 1]! + 2 * 9]),
      Buffer.alloc(10, 0x80),
      file.subarray(at + 1),
    ]);
    const views = await viewsOf(reading, tooLong);
    expect(views.result.ok).toBe(false);
    // Both refuse it as corrupt; the reason is each reader's own (avsc: the long would lose precision).
    expect(views.result).toMatchObject({ ok: false, error: { code: CAPTURE_FAILURES.corrupt } });
    expect(!views.result.ok && views.result.error.message).toContain(
      reading === 'fast' ? 'varint longer than 10 bytes' : 'potential precision loss',
    );
  });

  it('reads array and map blocks written with a negative count and a byte size', async () => {
    const writer = new CaptureFileWriter();
    const header = writer.header();
    // Encode SystemProperties as one block of count -2 and its byte size (the form avsc may write for speed).
    const long = avro.Type.forSchema('long');
    const unionMap = avro.Type.forSchema(
      { type: 'map', values: ['long', 'double', 'string', 'bytes'] },
      { wrapUnions: 'auto' },
    );
    const items = unionMap.toBuffer({ a: { long: 1 }, b: { string: 'x' } });
    // items = count 2, entries, 0: take the entries alone.
    const entries = items.subarray(long.toBuffer(2).length, items.length - 1);
    const record = Buffer.concat([
      long.toBuffer(5),
      avro.Type.forSchema('string').toBuffer('2560'),
      avro.Type.forSchema('string').toBuffer('1/15/2024 10:00:00 AM'),
      long.toBuffer(-2),
      long.toBuffer(entries.length),
      entries,
      long.toBuffer(0),
      long.toBuffer(0),
      long.toBuffer(1),
      avro.Type.forSchema('bytes').toBuffer(Buffer.from('{}')),
    ]);
    const file = Buffer.concat([header, long.toBuffer(1), long.toBuffer(record.length), record, writer.syncMarker]);
    const views = await viewsOf(reading, file);
    expect(views.result.ok).toBe(true);
    expect(views.records).toEqual((await recordsOf(file)).records);
    expect(views.records).toEqual([{ SequenceNumber: 5, EnqueuedTimeUtc: '1/15/2024 10:00:00 AM', Body: '{}' }]);
  });

  it.each([
    [
      'claims more records than its block holds',
      5,
      (data: Buffer) => data,
      { fast: 'Record 4 of block 0', plain: 'truncated block' },
    ],
    [
      'has a body longer than its block',
      4,
      (data: Buffer) => data.subarray(0, data.length - 3),
      { fast: 'Record 3 of block 0', plain: 'truncated block' },
    ],
    [
      'has an invalid Body union branch',
      4,
      (data: Buffer) => {
        const copy = Buffer.from(data);
        // The first record's last field: branch (1 = bytes), length, 2 bytes of body; make the branch 3 (zig-zag 6).
        const bodyAt = copy.indexOf('{}') - 2;
        copy[bodyAt] = 6;
        return copy;
      },
      {
        fast: 'Record 0 of block 0 does not decode: invalid union index 3',
        plain: 'invalid union index: 3',
      },
    ],
    [
      'has a negative string length',
      4,
      (data: Buffer) => {
        const copy = Buffer.from(data);
        // The first record's Offset length (right after its one-byte SequenceNumber): -1 in zig-zag.
        copy[1] = 1;
        return copy;
      },
      {
        fast: 'Record 0 of block 0 does not decode: negative length',
        plain: 'truncated block',
      },
    ],
  ])('names a block whose record %s CAPTURE.CORRUPT', async (_, count, tamper, message) => {
    const writer = new CaptureFileWriter();
    const records = [0, 1, 2, 3].map((i) => captureEvent({ sequenceNumber: i, enqueuedTimeInMs: T0, body: '{}' }));
    const type = avro.Type.forSchema(captureWriterSchema() as avro.Schema, { wrapUnions: 'auto' });
    const data = Buffer.concat(records.map((r) => type.toBuffer(r)));
    const tampered = tamper(data);
    const long = avro.Type.forSchema('long');
    const file = Buffer.concat([
      writer.header(),
      long.toBuffer(count),
      long.toBuffer(tampered.length),
      tampered,
      writer.syncMarker,
    ]);
    const views = await viewsOf(reading, file);
    expect(views.result.ok ? undefined : views.result.error).toMatchObject({
      code: CAPTURE_FAILURES.corrupt,
      // The fast reader names the record that fails; avsc's decoder gives its own reason.
      message: expect.stringContaining(message[reading]),
    });
    // avsc refuses the same block.
    expect((await recordsOf(file)).result).toMatchObject({ ok: false, error: { code: CAPTURE_FAILURES.corrupt } });
  });
});
