import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptureFile } from '../../shared/capture/readCaptureFile.js';
import { captureEvent, encodeCaptureFile } from '../../shared/capture/captureFileWriter.js';
import type { CaptureRecord, CaptureSchemaVariant } from '../../shared/capture/captureSchema.js';

// Our Capture reader and writer against the Apache Avro reference implementation (Debian python3-avro).
const SCRIPT = 'scripts/capture/avro_crosscheck.py';
const dir = mkdtempSync(join(tmpdir(), 'mrm-capture-avro-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function python(...args: string[]): string {
  return execFileSync('/usr/bin/python3', [SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

describe('python3-avro reads the files our Capture writer makes', () => {
  const cases: Array<[codec: 'null' | 'deflate', variant: CaptureSchemaVariant]> = [
    ['null', 'classic'],
    ['deflate', 'classic'],
    ['deflate', 'nullable-properties'],
  ];
  it.each(cases)('codec %s, schema %s', (codec, variant) => {
    const records = Array.from({ length: 1234 }, (_, i) =>
      captureEvent({
        sequenceNumber: i,
        enqueuedTimeInMs: Date.UTC(2024, 0, 15, 10) + i * 1000,
        body: i % 100 === 3 ? null : { id: `js-${i}`, features: { x: i * 0.25, c: i % 2 ? 'a' : 'é€' } },
        properties: {
          source: { string: 'node' },
          n: { long: i },
          ...(variant === 'nullable-properties' ? { gone: null } : {}),
        },
      }),
    );
    const path = join(dir, `${codec}-${variant}.avro`);
    writeFileSync(path, encodeCaptureFile(records, { codec, schemaVariant: variant, recordsPerBlock: 250 }));
    const read = python('read', path)
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            SequenceNumber: number;
            Offset: string;
            EnqueuedTimeUtc: string;
            Body: string | null;
            Properties: Record<string, unknown>;
            codec: string;
          },
      );
    expect(read).toHaveLength(1234);
    read.forEach((r, i) => {
      expect(r.codec).toBe(codec);
      expect(r.SequenceNumber).toBe(i);
      expect(r.Offset).toBe(records[i]!.Offset);
      expect(r.EnqueuedTimeUtc).toBe(records[i]!.EnqueuedTimeUtc);
      expect(r.Body).toBe(records[i]!.Body === null ? null : records[i]!.Body!.toString('utf8'));
      expect(r.Properties).toEqual({
        source: 'node',
        n: i,
        ...(variant === 'nullable-properties' ? { gone: null } : {}),
      });
    });
  });
});

describe.each(['plain', 'fast'] as const)('our %s reader reads the Capture files python3-avro writes', (reading) => {
  it.each(['null', 'deflate'])('codec %s, several blocks, null bodies, nullable property values', async (codec) => {
    const path = join(dir, `python-${codec}-${reading}.avro`);
    python('write', path, codec, '1000');
    const records: CaptureRecord[] = [];
    const bytes = readFileSync(path);
    // Delivered in odd-sized chunks, as a blob download would.
    const chunks = Array.from({ length: Math.ceil(bytes.length / 4093) }, (_, i) =>
      bytes.subarray(i * 4093, (i + 1) * 4093),
    );
    const summary = await readCaptureFile(chunks, (r) => records.push(r), { reading });
    expect(summary).toMatchObject({ ok: true, value: { records: 1000, codec } });
    expect(summary.ok && summary.value.blocks).toBeGreaterThanOrEqual(10);
    records.forEach((r, i) => {
      expect(r.SequenceNumber).toBe(i);
      expect(r.EnqueuedTimeUtc).toBe(
        `1/15/2024 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} AM`,
      );
      expect(r.Body === null ? null : JSON.parse(r.Body)).toEqual(
        i % 50 === 7 ? null : { id: `py-${i}`, features: { x: i / 4, c: i % 2 ? 'a' : 'b' } },
      );
    });
  });
});
