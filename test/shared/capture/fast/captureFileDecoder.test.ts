import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { CaptureFileDecoder } from '../../../../shared/capture/fast/captureFileDecoder.js';
import { CaptureFileWriter, captureEvent, encodeCaptureFile } from '../../../../shared/capture/captureFileWriter.js';
import type { CaptureRecord } from '../../../../shared/capture/captureSchema.js';
import { CAPTURE_FAILURES } from '../../../../shared/capture/captureFailures.js';

const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);
const long = avro.Type.forSchema('long');

function events(n: number, start = 0) {
  return Array.from({ length: n }, (_, i) =>
    captureEvent({ sequenceNumber: start + i, enqueuedTimeInMs: T0 + i * 1000, body: { features: { x: i } } }),
  );
}

function decode(file: Buffer) {
  const records: CaptureRecord[] = [];
  const decoder = new CaptureFileDecoder((r) => records.push(r));
  const pushed = decoder.push(file);
  return { records, pushed, result: decoder.end() };
}

// What the hand-read framing says beyond the contract both readers keep (../readCaptureFile.test.ts): it answers on
// the push that brings the fault, names the block and record at fault, and refuses bytes a block does not account for.
describe('CaptureFileDecoder (the fast reader)', () => {
  it('answers a foreign magic on the push that brings it, and every later push and end() repeat it', () => {
    const decoder = new CaptureFileDecoder(() => {});
    expect(decoder.push(Buffer.from('{"'))).toMatchObject({ code: CAPTURE_FAILURES.notAvro });
    expect(decoder.push(encodeCaptureFile(events(2)))).toMatchObject({ code: CAPTURE_FAILURES.notAvro });
    expect(decoder.end()).toMatchObject({ ok: false, error: { code: CAPTURE_FAILURES.notAvro } });
  });

  it('names the block after which a sync marker does not match', () => {
    const file = encodeCaptureFile(events(20), { recordsPerBlock: 10 });
    file[file.length - 3]! ^= 0xff;
    expect(decode(file).result).toMatchObject({
      ok: false,
      error: { code: CAPTURE_FAILURES.corrupt, message: expect.stringContaining('Sync marker after block 1') },
    });
  });

  it('names the record that runs past its block', () => {
    const writer = new CaptureFileWriter();
    const block = writer.block(events(4));
    const tampered = Buffer.concat([long.toBuffer(5), block.subarray(long.toBuffer(4).length)]);
    expect(decode(Buffer.concat([writer.header(), tampered])).result).toMatchObject({
      ok: false,
      error: { code: CAPTURE_FAILURES.corrupt, detail: { block: 0, record: 4 } },
    });
  });

  it('refuses bytes after the last record a block counts (avsc, like the Java and Python readers, ignores them)', () => {
    const writer = new CaptureFileWriter();
    const block = writer.block(events(4));
    // Claim 3 records where 4 were written: the fourth would be lost without a word.
    const tampered = Buffer.concat([long.toBuffer(3), block.subarray(long.toBuffer(4).length)]);
    const { records, result } = decode(Buffer.concat([writer.header(), tampered]));
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: CAPTURE_FAILURES.corrupt,
        message: expect.stringMatching(/^Record 3 of block 0 does not decode: \d+ bytes left over after 3 records$/),
      },
    });
    // The caller drops the file whole: the records it was handed before the failure never count.
    expect(records).toHaveLength(3);
  });

  it('gives the size of a block above the limit', () => {
    const file = encodeCaptureFile(events(200), { recordsPerBlock: 200 });
    const decoder = new CaptureFileDecoder(() => {}, { maxBlockSizeInBytes: 1024 });
    expect(decoder.push(file)).toMatchObject({
      code: CAPTURE_FAILURES.blockTooLarge,
      message: expect.stringMatching(/^Block 0 is \d+ bytes, above the limit of 1024$/),
    });
  });
});
