import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CaptureFrameGuard } from '../../../shared/capture/captureFrameGuard.js';
import { CaptureFileWriter, captureEvent } from '../../../shared/capture/captureFileWriter.js';
import { DecodeFailure } from '../../../shared/capture/containerFraming.js';
import { CAPTURE_FAILURES } from '../../../shared/capture/captureFailures.js';

const T0 = Date.UTC(2024, 0, 15);

function fileOf(blockSizes: number[], codec: 'null' | 'deflate') {
  const writer = new CaptureFileWriter({ codec });
  let n = 0;
  const blocks = blockSizes.map((size) =>
    writer.block(
      Array.from({ length: size }, () =>
        captureEvent({ sequenceNumber: n, enqueuedTimeInMs: T0, body: `{"n":${n++}}` }),
      ),
    ),
  );
  return { header: writer.header(), blocks, file: Buffer.concat([writer.header(), ...blocks]) };
}

function pass(guard: CaptureFrameGuard, file: Buffer, sizes: number[]) {
  for (let pos = 0, i = 0; pos < file.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]!);
    guard.pass(file.subarray(pos, pos + size));
    pos += size;
  }
}

// The guard in front of avsc's decoder (the plain reader): it reads lengths only, so it is tested on its own here;
// ../readCaptureFile.test.ts holds the reader as a whole to the contract.
describe('CaptureFrameGuard', () => {
  it('walks the header and every block in any chunking, and ends only on a block boundary', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(5), { maxLength: 6 }),
        fc.constantFrom('null', 'deflate') as fc.Arbitrary<'null' | 'deflate'>,
        fc.array(fc.integer({ min: 1, max: 90 }), { minLength: 1, maxLength: 8 }),
        (blockSizes, codec, sizes) => {
          const { header, blocks, file } = fileOf(blockSizes, codec);
          const guard = new CaptureFrameGuard();
          pass(guard, file, sizes);
          expect(guard.end()).toBeUndefined();
          expect(guard.blocks).toBe(blocks.length);
          expect(guard.bytes).toBe(file.length);
          expect(guard.header).toMatchObject({ codec, length: header.length });
          // Cut one byte short of the end: the last block (or the header) is incomplete.
          const cut = new CaptureFrameGuard();
          pass(cut, file.subarray(0, file.length - 1), sizes);
          expect(cut.end()).toMatchObject({ code: CAPTURE_FAILURES.truncated });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a block above the limit from its count and size alone', () => {
    const { header, blocks } = fileOf([50], 'null');
    const guard = new CaptureFrameGuard({ maxBlockSizeInBytes: 100 });
    guard.pass(header);
    // Byte by byte: the refusal comes with the size varint's last byte, long before the block's data.
    let refused: unknown;
    for (let i = 0; i < blocks[0]!.length && refused === undefined; i++) {
      try {
        guard.pass(blocks[0]!.subarray(i, i + 1));
      } catch (error) {
        refused = { at: i, error };
      }
    }
    expect(refused).toMatchObject({ at: 2, error: expect.any(DecodeFailure) });
    expect((refused as { error: DecodeFailure }).error.failure).toMatchObject({
      code: CAPTURE_FAILURES.blockTooLarge,
      detail: { block: 0, maxBlockSizeInBytes: 100 },
    });
  });
});
