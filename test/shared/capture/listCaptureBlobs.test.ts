import { describe, expect, it } from 'vitest';
import { listCaptureBlobs } from '../../../shared/capture/listCaptureBlobs.js';
import type { BlobListing, StoredBlob } from '../../../shared/capture/ports.js';
import { parseCaptureNameFormat, type CaptureNameFormat } from '../../../shared/capture/captureNameFormat.js';

const DEFAULT = '{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}';

/** An in-memory container that records every listing call, so tests can see what was read. */
class RecordingListing implements BlobListing {
  readonly blobCalls: string[] = [];
  readonly prefixCalls: string[] = [];
  constructor(private readonly names: string[]) {}

  async *listBlobs(prefix: string): AsyncIterable<StoredBlob> {
    this.blobCalls.push(prefix);
    for (const name of [...this.names].sort())
      if (name.startsWith(prefix)) yield { name, etag: `"${name.length}"`, sizeInBytes: 10 };
  }

  async *listPrefixes(prefix: string): AsyncIterable<string> {
    this.prefixCalls.push(prefix);
    const children = new Set<string>();
    for (const name of this.names) {
      if (!name.startsWith(prefix)) continue;
      const slash = name.indexOf('/', prefix.length);
      if (slash >= 0) children.add(name.slice(0, slash + 1));
    }
    yield* [...children].sort();
  }
}

function format(text: string): CaptureNameFormat {
  const parsed = parseCaptureNameFormat(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

// Monday 2024-01-15 to Monday 2024-01-22 (ISO week 2024-W03).
const FROM = Date.UTC(2024, 0, 15);
const TO = Date.UTC(2024, 0, 22);

describe('listCaptureBlobs', () => {
  const names = [
    'ns/events/0/2024/01/14/23/55/00.avro', // the week before
    'ns/events/0/2024/01/15/00/00/00.avro',
    'ns/events/0/2024/01/17/12/05/00.avro',
    'ns/events/1/2024/01/21/23/55/00.avro',
    'ns/events/1/2024/01/22/00/00/00.avro', // the week after
    'ns/scored/0/2024/01/16/00/00/00.avro', // another hub
    'other-ns/events/0/2024/01/16/00/00/00.avro', // another namespace
    'ns/events/0/2024/01/16/notes.txt', // not a Capture name
  ];

  it('returns only the hub’s blobs of the window, listing per partition and day', async () => {
    const listing = new RecordingListing(names);
    const blobs = await collect(
      listCaptureBlobs(listing, format(DEFAULT), { eventHub: 'events', namespace: 'ns', fromInMs: FROM, toInMs: TO }),
    );
    expect(blobs.map((b) => b.name)).toEqual([
      'ns/events/0/2024/01/15/00/00/00.avro',
      'ns/events/0/2024/01/17/12/05/00.avro',
      'ns/events/1/2024/01/21/23/55/00.avro',
    ]);
    expect(blobs[2]).toMatchObject({
      eventHub: 'events',
      partitionId: '1',
      windowStartInMs: Date.UTC(2024, 0, 21, 23, 55),
    });
    // Partitions are discovered once with a delimiter listing; blobs are listed by partition-and-day prefixes only.
    expect(listing.prefixCalls).toEqual(['ns/events/']);
    expect(listing.blobCalls).toHaveLength(2 * 7);
    expect(listing.blobCalls).toContain('ns/events/1/2024/01/21/');
    expect(listing.blobCalls.every((prefix) => /^ns\/events\/\d\/2024\/01\/\d\d\/$/.test(prefix))).toBe(true);
  });

  it('discovers the namespace when none is configured', async () => {
    const listing = new RecordingListing(names);
    const blobs = await collect(
      listCaptureBlobs(listing, format(DEFAULT), { eventHub: 'events', fromInMs: FROM, toInMs: TO }),
    );
    expect(blobs.map((b) => b.name)).toContain('other-ns/events/0/2024/01/16/00/00/00.avro');
    expect(blobs).toHaveLength(4);
    expect(listing.prefixCalls).toEqual(['', 'ns/events/', 'other-ns/events/']);
  });

  it('lists a partial window (CLI --from/--to) by the days it touches', async () => {
    const listing = new RecordingListing(names);
    const blobs = await collect(
      listCaptureBlobs(listing, format(DEFAULT), {
        eventHub: 'events',
        namespace: 'ns',
        fromInMs: Date.UTC(2024, 0, 17, 12),
        toInMs: Date.UTC(2024, 0, 17, 13),
      }),
    );
    expect(blobs.map((b) => b.name)).toEqual(['ns/events/0/2024/01/17/12/05/00.avro']);
    expect(listing.blobCalls).toEqual(['ns/events/0/2024/01/17/', 'ns/events/1/2024/01/17/']);
  });

  it('follows a format that puts the date first, and one whose partition token shares its segment', async () => {
    const dateFirst = format('{Year}/{Month}/{Day}/{Namespace}/{EventHub}/{PartitionId}/{Hour}/{Minute}/{Second}');
    const listing = new RecordingListing([
      '2024/01/16/ns/events/0/10/00/00.avro',
      '2024/01/16/ns/events/7/10/00/00.avro',
      '2024/01/23/ns/events/0/10/00/00.avro',
    ]);
    const blobs = await collect(
      listCaptureBlobs(listing, dateFirst, { eventHub: 'events', namespace: 'ns', fromInMs: FROM, toInMs: TO }),
    );
    expect(blobs.map((b) => b.partitionId)).toEqual(['0', '7']);
    expect(listing.prefixCalls).toHaveLength(7);

    const shared = format('c/{Namespace}/{EventHub}/p{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}');
    const sharedListing = new RecordingListing([
      'c/ns/events/p0/2024/01/16/10/00/00.avro',
      'c/ns/events/p1/2024/01/16/10/00/00.avro',
      'c/ns/events/p1/2024/01/26/10/00/00.avro',
    ]);
    const found = await collect(
      listCaptureBlobs(sharedListing, shared, { eventHub: 'events', namespace: 'ns', fromInMs: FROM, toInMs: TO }),
    );
    expect(found.map((b) => b.name)).toEqual([
      'c/ns/events/p0/2024/01/16/10/00/00.avro',
      'c/ns/events/p1/2024/01/16/10/00/00.avro',
    ]);
    // No delimiter listing can enumerate "p{PartitionId}": one prefix listing of the hub, filtered by the name pattern.
    expect(sharedListing.blobCalls).toEqual(['c/ns/events/p']);
  });

  it('finds nothing, without error, when the hub was never captured', async () => {
    const listing = new RecordingListing(names);
    expect(
      await collect(
        listCaptureBlobs(listing, format(DEFAULT), {
          eventHub: 'nothing',
          namespace: 'ns',
          fromInMs: FROM,
          toInMs: TO,
        }),
      ),
    ).toEqual([]);
  });
});
