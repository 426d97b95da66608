import { describe, expect, it } from 'vitest';
import { captureEvent } from '../../../shared/capture/captureFileWriter.js';
import { parseCaptureBlobName, parseCaptureNameFormat } from '../../../shared/capture/captureNameFormat.js';
import { listCaptureBlobs } from '../../../shared/capture/listCaptureBlobs.js';
import type { BlobListing, StoredBlob } from '../../../shared/capture/ports.js';
import { CaptureArchiver, type CaptureFile } from '../../../cli/demo/captureArchiver.js';
import { foldCaptureBlob } from '../../../shared/drift/run/foldCaptureBlob.js';
import { unwrap } from '../../../shared/errors.js';
import { TransactionGenerator } from '../../../dev/synthetic/transactions.js';
import { transactionBaseline } from '../../helpers/baselineFixture.js';

const DEFAULT_FORMAT = unwrap(
  parseCaptureNameFormat('{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}'),
);
const MONDAY = Date.UTC(2026, 1, 23);
const HOUR = 3_600_000;

function record(sequenceNumber: number, timeInMs: number, body: object) {
  return captureEvent({ sequenceNumber, enqueuedTimeInMs: timeInMs, body });
}

/** A blob listing over files in memory, as the Capture container would list them. */
function listingOf(files: CaptureFile[]): BlobListing {
  const blobs: StoredBlob[] = files
    .map((f) => ({ name: f.name, etag: `"${f.name}"`, sizeInBytes: f.bytes.length }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    async *listBlobs(prefix) {
      for (const b of blobs) if (b.name.startsWith(prefix)) yield b;
    },
    async *listPrefixes(prefix) {
      const seen = new Set<string>();
      for (const b of blobs) {
        if (!b.name.startsWith(prefix)) continue;
        const rest = b.name.slice(prefix.length);
        const cut = rest.indexOf('/');
        if (cut >= 0 && !seen.has(rest.slice(0, cut))) {
          seen.add(rest.slice(0, cut));
          yield `${prefix}${rest.slice(0, cut)}/`;
        }
      }
    },
  };
}

describe('CaptureArchiver', () => {
  it('closes a partition’s file when its window ends, named as Capture names it, holding that window’s records', async () => {
    const archiver = new CaptureArchiver({
      namespace: 'evhns-demo',
      eventHub: 'events',
      format: DEFAULT_FORMAT,
      intervalInMs: HOUR,
    });
    const generator = new TransactionGenerator(4);
    expect(
      archiver.add(
        '2',
        record(0, MONDAY + 10 * 60_000, generator.event('a', 'c', '2026-02-23T00:10:00Z')),
        MONDAY + 10 * 60_000,
      ),
    ).toBeUndefined();
    expect(
      archiver.add(
        '2',
        record(1, MONDAY + 59 * 60_000, generator.event('b', 'c', '2026-02-23T00:59:00Z')),
        MONDAY + 59 * 60_000,
      ),
    ).toBeUndefined();
    // Another partition's window is its own.
    expect(
      archiver.add(
        '0',
        record(0, MONDAY + 2 * HOUR, generator.event('c', 'd', '2026-02-23T02:00:00Z')),
        MONDAY + 2 * HOUR,
      ),
    ).toBeUndefined();
    const closed = archiver.add(
      '2',
      record(2, MONDAY + 3 * HOUR + 5, generator.event('e', 'c', '2026-02-23T03:00:00Z')),
      MONDAY + 3 * HOUR + 5,
    );
    expect(closed).toMatchObject({
      name: 'evhns-demo/events/2/2026/02/23/00/00/00.avro',
      partitionId: '2',
      windowStartInMs: MONDAY,
      records: 2,
    });
    expect(parseCaptureBlobName(DEFAULT_FORMAT, closed!.name)).toEqual({
      namespace: 'evhns-demo',
      eventHub: 'events',
      partitionId: '2',
      windowStartInMs: MONDAY,
    });

    const folded = unwrap(await foldCaptureBlob([closed!.bytes], 'events', transactionBaseline().schema));
    expect(folded.records).toBe(2);
    expect(folded.profile.events).toBe(2);

    const rest = archiver.flush();
    expect(rest.map((f) => f.name).sort()).toEqual([
      'evhns-demo/events/0/2026/02/23/02/00/00.avro',
      'evhns-demo/events/2/2026/02/23/03/00/00.avro',
    ]);
    expect(archiver.flush()).toEqual([]);
  });

  it('follows a custom archive name format and five-minute windows', () => {
    const format = unwrap(
      parseCaptureNameFormat('{Year}-{Month}-{Day}/{Hour}{Minute}{Second}/{Namespace}-{EventHub}-p{PartitionId}'),
    );
    const archiver = new CaptureArchiver({ namespace: 'ns', eventHub: 'scored', format, intervalInMs: 300_000 });
    expect(archiver.blobName('1', MONDAY + 13 * HOUR + 25 * 60_000)).toBe('2026-02-23/132500/ns-scored-p1.avro');
    archiver.add('1', record(0, MONDAY + 13 * HOUR + 29 * 60_000, {}), MONDAY + 13 * HOUR + 29 * 60_000);
    const [file] = archiver.flush();
    expect(parseCaptureBlobName(format, file!.name)?.windowStartInMs).toBe(MONDAY + 13 * HOUR + 25 * 60_000);
  });

  it('writes files the week’s Capture listing finds: every file of the window, none of the next week', async () => {
    const archiver = new CaptureArchiver({
      namespace: 'evhns-demo',
      eventHub: 'events',
      format: DEFAULT_FORMAT,
      intervalInMs: HOUR,
    });
    const files: CaptureFile[] = [];
    let seq = 0;
    // One event every 20 minutes on each of 4 partitions, from Monday 00:00 to the next Tuesday.
    for (let t = MONDAY; t < MONDAY + 8 * 24 * HOUR; t += 20 * 60_000) {
      for (const p of ['0', '1', '2', '3']) {
        const closed = archiver.add(p, record(seq++, t, { id: String(seq) }), t);
        if (closed) files.push(closed);
      }
    }
    files.push(...archiver.flush());
    const listed = [];
    for await (const blob of listCaptureBlobs(listingOf(files), DEFAULT_FORMAT, {
      eventHub: 'events',
      fromInMs: MONDAY,
      toInMs: MONDAY + 7 * 24 * HOUR,
    }))
      listed.push(blob);
    expect(listed).toHaveLength(7 * 24 * 4);
    expect(files).toHaveLength(8 * 24 * 4);
    expect(listed.every((b) => b.windowStartInMs < MONDAY + 7 * 24 * HOUR)).toBe(true);
  });
});
