import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { captureEvent, encodeCaptureFile } from '../../../../shared/capture/captureFileWriter.js';
import { ProfileAccumulator } from '../../../../shared/drift/profileAccumulator.js';
import type { DatasetProfile } from '../../../../shared/drift/profile.js';
import type { ProfileSchema } from '../../../../shared/drift/schema.js';
import { foldCaptureBlob } from '../../../../shared/drift/run/foldCaptureBlob.js';
import { SCORED_REASONS } from '../../../../shared/drift/badBodies.js';
import { compileEventContract } from '../../../../shared/contracts/eventContract.js';
import { EVENT_REASONS } from '../../../../shared/contracts/eventReasons.js';
import { transactionBaseline } from '../../../helpers/baselineFixture.js';
import { badBodyRecords, eventRecords, scoredRecords } from './fixtures/captureFixtures.js';

const T0 = Date.UTC(2024, 0, 15, 10);

/**
 * The fold without any fast path, as the profile's definition: the bodies as the producer sent them (before any
 * Capture file), each read by the plain event contract (UTF-8, JSON.parse, the schema) as scoreEvents reads it, the
 * event's features object to addFeatures, and a body the contract refuses counted under its reason.
 */
function referenceProfile(bodies: ReadonlyArray<string | Buffer | null>, schema: ProfileSchema): DatasetProfile {
  const accumulator = new ProfileAccumulator(schema);
  const contract = compileEventContract(schema.features, { maxBodyBytes: 65_536, decoding: 'plain' });
  for (const body of bodies) {
    const decoded = contract.decode(typeof body === 'string' ? Buffer.from(body) : body);
    if (decoded.ok) accumulator.addFeatures(decoded.value.features);
    else accumulator.addBadBody(decoded.error.code);
  }
  return accumulator.toProfile();
}

describe('foldCaptureBlob', () => {
  const baseline = transactionBaseline();

  it('folds every good event body and counts bad ones per reason, never failing on them', async () => {
    const file = encodeCaptureFile([...eventRecords(300, { seed: 1, startInMs: T0 }), ...badBodyRecords(T0 + 60_000)], {
      recordsPerBlock: 64,
    });
    const result = await foldCaptureBlob([file], 'events', baseline.schema);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.records).toBe(305);
    expect(result.value.profile.events).toBe(300);
    expect(result.value.profile.badBodies).toEqual({
      [EVENT_REASONS.empty]: 1,
      [EVENT_REASONS.missingFeatures]: 1,
      [EVENT_REASONS.notJson]: 2,
      [EVENT_REASONS.notObject]: 1,
    });
    const amount = result.value.profile.features.amount!;
    expect(amount.type === 'numeric' && amount.count + amount.missing).toBe(300);
    expect(result.value.firstEnqueuedInMs).toBe(T0);
    // Capture writes whole seconds.
    expect(result.value.lastEnqueuedInMs).toBe(T0 + 60_000);
  });

  it('folds scored records into prediction, labels and performance, and refuses other bodies on the scored hub', async () => {
    const file = encodeCaptureFile([
      ...scoredRecords(400, { seed: 2, startInMs: T0, accuracy: 0.9 }),
      ...eventRecords(3, { seed: 3, startInMs: T0 }),
    ]);
    const result = await foldCaptureBlob([file], 'scored', baseline.schema);
    if (!result.ok) throw new Error(result.error.message);
    const profile = result.value.profile;
    expect(profile.events).toBe(400);
    expect(profile.badBodies).toEqual({ [SCORED_REASONS.notScoredRecord]: 3 });
    expect(profile.performance?.labelled).toBe(400);
    expect(profile.prediction!.classes.count).toBe(400);
  });

  it('counts records whose EnqueuedTimeUtc does not parse, and still folds them', async () => {
    const records = eventRecords(4, { seed: 4, startInMs: T0 }).map((r, i) =>
      i < 2 ? { ...r, EnqueuedTimeUtc: 'not a time' } : r,
    );
    const result = await foldCaptureBlob([encodeCaptureFile(records)], 'events', baseline.schema);
    expect(result.ok && [result.value.unparsedTimes, result.value.profile.events]).toEqual([2, 4]);
  });

  it('gives an empty profile for a header-only file', async () => {
    const result = await foldCaptureBlob([encodeCaptureFile([])], 'events', baseline.schema);
    expect(result.ok && [result.value.records, result.value.profile.events, result.value.firstEnqueuedInMs]).toEqual([
      0,
      0,
      null,
    ]);
  });

  it('returns the decoder’s failure for a truncated file instead of a partial profile', async () => {
    const file = encodeCaptureFile(eventRecords(50, { seed: 5, startInMs: T0 }), { recordsPerBlock: 10 });
    const result = await foldCaptureBlob([file.subarray(0, file.length - 20)], 'events', baseline.schema);
    expect(result).toMatchObject({ ok: false, error: { code: 'CAPTURE.TRUNCATED' } });
  });

  it('folds the same profile whichever way the file is split into chunks', async () => {
    const file = encodeCaptureFile(eventRecords(200, { seed: 6, startInMs: T0 }), {
      codec: 'deflate',
      recordsPerBlock: 33,
    });
    const whole = await foldCaptureBlob([file], 'events', baseline.schema);
    const pieces = Array.from({ length: Math.ceil(file.length / 1000) }, (_, i) =>
      file.subarray(i * 1000, (i + 1) * 1000),
    );
    const chunked = await foldCaptureBlob(pieces, 'events', baseline.schema);
    expect(chunked).toEqual(whole);
  });

  // The contract of body decoding and Capture reading, run against every pairing of their implementations: plain
  // (JSON.parse, avsc records) and fast (the byte scanner, the hand-read record layout).
  it.each([
    ['plain', 'plain'],
    ['plain', 'fast'],
    ['fast', 'plain'],
    ['fast', 'fast'],
  ] as const)(
    'folds exactly the profile of the plain event contract + addFeatures, whatever the bodies hold (bodies %s, Capture %s)',
    async (bodyDecoding, reading) => {
      let profiled = 0;
      const features = baseline.schema.features;
      const categories = ['"grocery"', '"pos"', '"web"', '"caf\u00e9"', '""', '"1.5"'];
      const number = fc.oneof(
        { weight: 4, arbitrary: fc.double().map((x) => JSON.stringify(x)) },
        { weight: 2, arbitrary: fc.constantFrom('0', '-0', '1e400', '-1e400', '12.50', '1e-7', '123456789012345678') },
      );
      const odd = fc.constantFrom('null', 'null', 'true', '[1]', '{"a":2}', '"text"', '7');
      // Half the events keep the contract (every feature once, of its type, nulls among them), so that the scanner's
      // reading is compared often; the others lose, repeat or mistype features, or are not events at all.
      const typed = features.map((f) =>
        fc.oneof(
          { weight: 30, arbitrary: f.type === 'numeric' ? number : fc.constantFrom(...categories) },
          { weight: 1, arbitrary: odd },
        ),
      );
      const member = fc.tuple(fc.constantFrom(...features.map((f) => f.name), 'unknown'), fc.oneof(number, odd));
      const body = fc.oneof(
        {
          weight: 5,
          arbitrary: fc.tuple(fc.tuple(...typed), fc.boolean()).map(([values, spaced]) => {
            const pairs = features.map((f, i) => `"${f.name}":${spaced ? ' ' : ''}${values[i]}`);
            return `{"id":"e","features":{${pairs.join(',')}}}`;
          }),
        },
        {
          weight: 3,
          arbitrary: fc
            .array(member, { maxLength: features.length + 2 })
            .map((pairs) => `{"id":"e","features":{${pairs.map(([k, v]) => `"${k}": ${v}`).join(',')}}}`),
        },
        { weight: 1, arbitrary: fc.constantFrom('', '{"features":1}', '[]', '{"features":{}', 'null', '{"id":1}') },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)) },
      );
      await fc.assert(
        fc.asyncProperty(fc.array(fc.option(body, { freq: 10 }), { minLength: 10, maxLength: 60 }), async (bodies) => {
          const file = encodeCaptureFile(
            bodies.map((b, i) => captureEvent({ sequenceNumber: i, enqueuedTimeInMs: T0 + i * 400, body: b })),
            { recordsPerBlock: 16 },
          );
          const result = await foldCaptureBlob([file], 'events', baseline.schema, { bodyDecoding, reading });
          const profile = result.ok ? result.value.profile : undefined;
          expect(profile).toEqual(referenceProfile(bodies, baseline.schema));
          profiled += profile?.events ?? 0;
        }),
        { numRuns: 300 },
      );
      // The generator must reach bodies that keep the contract, or the profiles compared hold only bad bodies.
      expect(profiled).toBeGreaterThan(1000);
    },
  );

  it.each(['plain', 'fast'] as const)(
    'folds blobs of one schema side by side, chunks interleaved, into the profiles each gives alone (Capture %s)',
    async (reading) => {
      const files = [1, 2, 3].map((seed) =>
        encodeCaptureFile(eventRecords(150, { seed, startInMs: T0 }), { recordsPerBlock: 20 }),
      );
      const alone = await Promise.all(files.map((f) => foldCaptureBlob([f], 'events', baseline.schema, { reading })));
      // Each blob in 700-byte chunks, every chunk awaited, so the three folds take turns between chunks.
      async function* chunksOf(file: Buffer) {
        for (let pos = 0; pos < file.length; pos += 700) {
          await new Promise((resolve) => setImmediate(resolve));
          yield file.subarray(pos, pos + 700);
        }
      }
      const together = await Promise.all(
        files.map((f) => foldCaptureBlob(chunksOf(f), 'events', baseline.schema, { reading })),
      );
      expect(together).toEqual(alone);
      // Three different profiles: a scanner mixing bodies of one blob into another's fold could not pass unseen.
      expect(alone[0]).not.toEqual(alone[1]);
      expect(alone[1]).not.toEqual(alone[2]);
    },
  );

  it('folds each blob as if first, whatever the blobs before it left in the reused buffers', async () => {
    // Large (raw values given up, wide sketches) and small (raw values kept) in turn, and a truncated one between:
    // every fold hands its buffers back, and the next must count from zero and keep only its own values.
    const largeRecords = eventRecords(6000, { seed: 41, startInMs: T0, drift: 0.9 });
    const smallRecords = eventRecords(90, { seed: 42, startInMs: T0 });
    const large = encodeCaptureFile(largeRecords);
    const small = encodeCaptureFile(smallRecords);
    const cut = large.subarray(0, large.length - 100);
    const first = {
      large: referenceProfile(
        largeRecords.map((r) => r.Body),
        baseline.schema,
      ),
      small: referenceProfile(
        smallRecords.map((r) => r.Body),
        baseline.schema,
      ),
    };
    for (const file of [large, small, cut, small, large, small]) {
      const folded = await foldCaptureBlob([file], 'events', baseline.schema);
      if (file === cut) expect(folded.ok).toBe(false);
      else expect(folded.ok && folded.value.profile).toEqual(file === large ? first.large : first.small);
    }
  });

  it('treats a body of JSON null like any non-object body', async () => {
    const file = encodeCaptureFile([captureEvent({ sequenceNumber: 1, enqueuedTimeInMs: T0, body: 'null' })]);
    const result = await foldCaptureBlob([file], 'events', baseline.schema);
    expect(result.ok && result.value.profile.badBodies).toEqual({ [EVENT_REASONS.notObject]: 1 });
  });
});
