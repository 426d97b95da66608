import { beforeAll, describe, expect, it } from 'vitest';
import { encodeStoredDocument, decodeStoredDocument } from '../../../shared/drift/storedDocument.js';
import { packProfile, unpackProfile } from '../../../shared/drift/storedProfile.js';
import type { DatasetProfile } from '../../../shared/drift/profile.js';
import { cachedBlobEntryBytes, readCachedBlobEntry } from '../../../shared/drift/run/blobProfileCacheKey.js';
import { foldCaptureBlob } from '../../../shared/drift/run/foldCaptureBlob.js';
import { HubTallyBuilder } from '../../../shared/drift/run/hubTally.js';
import type { BlobProfileKey, CachedBlobOutcome } from '../../../shared/drift/run/ports.js';
import { readRollupDocument, rollupDocumentBytes, type RollupDocument } from '../../../shared/drift/run/rollups.js';
import { unwrap } from '../../../shared/errors.js';
import { transactionBaseline } from '../../helpers/baselineFixture.js';
import { badBodyRecords, encodeCaptureFile, eventRecords, scoredRecords } from './run/fixtures/captureFixtures.js';

const baseline = transactionBaseline();
const schema = baseline.schema;
const START = Date.UTC(2024, 0, 16, 10);

let small: CachedBlobOutcome & { ok: true };
let large: CachedBlobOutcome & { ok: true };
let scored: CachedBlobOutcome & { ok: true };

async function fold(records: Parameters<typeof encodeCaptureFile>[0], hub: 'events' | 'scored') {
  const folded = unwrap(await foldCaptureBlob([encodeCaptureFile(records)], hub, schema));
  return { ok: true as const, ...folded };
}

beforeAll(async () => {
  // Small: raw values kept (under the cap) and bad bodies; large: sketches only; scored: prediction, labels, AUC.
  small = await fold([...eventRecords(300, { seed: 1, startInMs: START }), ...badBodyRecords(START)], 'events');
  large = await fold(eventRecords(6000, { seed: 2, startInMs: START, drift: 0.5 }), 'events');
  scored = await fold(scoredRecords(2000, { seed: 3, startInMs: START, accuracy: 0.8 }), 'scored');
});

const roundTrip = (profile: DatasetProfile, encoding: 'plain' | 'fast') => {
  const decoded = decodeStoredDocument(encodeStoredDocument((pack) => packProfile(profile, pack), encoding))!;
  return unpackProfile(decoded.document, decoded.unpack);
};

describe('stored profiles', () => {
  it('come back equal to the profile, in both encodings, whatever they hold', () => {
    const valuesOf = (profile: DatasetProfile) => {
      const amount = profile.features.amount!;
      return amount.type === 'numeric' ? amount.values : undefined;
    };
    expect(valuesOf(small.profile)).toHaveLength(300);
    expect(valuesOf(large.profile)).toBeNull();
    expect(scored.profile.performance?.scoreHistogram).not.toBeNull();
    expect(Object.keys(small.profile.badBodies).length).toBeGreaterThan(0);
    for (const { profile } of [small, large, scored])
      for (const encoding of ['plain', 'fast'] as const) expect(roundTrip(profile, encoding)).toEqual(profile);
  });

  it('are refused (undefined) when a number array is missing or not one', () => {
    const packed = packProfile(large.profile, { numbers: (v) => v, strings: (v) => v }) as {
      features: Record<string, Record<string, unknown>>;
    };
    const unpack = decodeStoredDocument(Buffer.from('{}'))!.unpack;
    const broken = (edit: (feature: Record<string, unknown>) => void) => {
      const copy = structuredClone(packed);
      edit(copy.features.amount!);
      return unpackProfile(copy, unpack);
    };
    expect(unpackProfile(structuredClone(packed), unpack)).toEqual(large.profile);
    expect(broken((f) => delete f.psiCounts)).toBeUndefined();
    expect(broken((f) => (f.sketch = { offset: 0, counts: 'u32:AAAA' }))).toBeUndefined();
    expect(broken((f) => (f.sketch = { counts: [] }))).toBeUndefined();
    expect(broken((f) => (f.values = 3))).toBeUndefined();
    expect(unpackProfile(null, unpack)).toBeUndefined();
  });
});

describe('per-blob cache entries', () => {
  const key: BlobProfileKey = {
    schemaId: schema.id,
    hub: 'events',
    blobName: 'ns/events/0/2024/01/16/10/00/00.avro',
    etag: '0x8DC1',
    foldVersion: 1,
    maxBodyBytes: 65_536,
  };

  it('read back in both encodings', () => {
    const plain = cachedBlobEntryBytes(key, large, 'plain');
    const fast = cachedBlobEntryBytes(key, large);
    expect(readCachedBlobEntry(plain, key)).toEqual(large);
    expect(readCachedBlobEntry(fast, key)).toEqual(large);
    expect([plain[0], fast[0]]).toEqual([0x7b, 0]);
  });

  it('written before the fast encoding (one JSON document) are still read', () => {
    const before = Buffer.from(JSON.stringify({ kind: 'mrm.blobProfile', key, outcome: small }));
    expect(readCachedBlobEntry(before, key)).toEqual(small);
  });

  it('of a skipped blob keep its reason; anything malformed is a miss', () => {
    const skipped: CachedBlobOutcome = { ok: false, code: 'CAPTURE.TRUNCATED', message: 'cut' };
    expect(readCachedBlobEntry(cachedBlobEntryBytes(key, skipped), key)).toEqual(skipped);
    const entry = (outcome: unknown) => Buffer.from(JSON.stringify({ kind: 'mrm.blobProfile', key, outcome }));
    expect(readCachedBlobEntry(entry({ ok: false }), key)).toBeUndefined();
    expect(readCachedBlobEntry(entry({ ok: 'yes' }), key)).toBeUndefined();
    expect(readCachedBlobEntry(entry({ ...large, profile: { ...large.profile, schemaId: 'x' } }), key)).toBeUndefined();
    expect(readCachedBlobEntry(cachedBlobEntryBytes(key, large).subarray(0, 100), key)).toBeUndefined();
  });
});

describe('roll-up documents', () => {
  const key = {
    schemaId: schema.id,
    hub: 'events' as const,
    foldVersion: 1,
    maxBodyBytes: 65_536,
    hourStartInMs: START,
  };
  const docOf = (outcomes: CachedBlobOutcome[]): RollupDocument => {
    const builder = new HubTallyBuilder(schema);
    outcomes.forEach((o, i) => builder.addOutcome(`b${i}`, o));
    return {
      kind: 'mrm.rollup',
      key,
      blobNames: outcomes.map((_, i) => `b${i}`),
      blobEtags: outcomes.map((_, i) => `0x${i}`),
      conflicts: [],
      tally: builder.tally(),
    };
  };

  it('read back in both encodings', () => {
    const doc = docOf([small, large, { ok: false, code: 'CAPTURE.TRUNCATED', message: 'cut' }]);
    expect(readRollupDocument(rollupDocumentBytes(doc, 'plain'), key)).toEqual(doc);
    expect(readRollupDocument(rollupDocumentBytes(doc), key)).toEqual(doc);
  });

  it('written before (JSON, blobs as a name → ETag object) are still read', () => {
    const doc = docOf([small, large]);
    const { blobNames, blobEtags, ...rest } = doc;
    const before = { ...rest, blobs: Object.fromEntries(blobNames.map((n, i) => [n, blobEtags[i]])) };
    expect(readRollupDocument(Buffer.from(JSON.stringify(before)), key)).toEqual(doc);
  });

  it('merge the stored state as exactly as a merger holding it in memory would', () => {
    // A roll-up read back and merged on (what each landed blob does) equals one merger that saw every blob.
    const stored = readRollupDocument(rollupDocumentBytes(docOf([small, large])), key)!;
    const onward = new HubTallyBuilder(schema);
    onward.addTally(stored.tally);
    onward.addOutcome('b2', large);
    const whole = new HubTallyBuilder(schema);
    for (const o of [small, large, large]) whole.addOutcome('b', o);
    expect(onward.profile()).toEqual(whole.profile());
    expect(onward.tally().merged.exactSums).toEqual(whole.tally().merged.exactSums);
  });
});
