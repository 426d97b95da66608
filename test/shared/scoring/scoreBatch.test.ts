import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scoreBatch } from '../../../shared/scoring/scoreBatch.js';
import { extractionCallersLine } from '../../../shared/scoring/batchSummary.js';
import { createScoringEngine } from '../../../shared/scoring/createScoringEngine.js';
import { defaultSettings } from '../../../shared/config/settings.js';
import { readEventMetadata } from '../../../shared/scoring/eventMetadata.js';
import { decodeBody, storedDeadLetter } from '../../../shared/scoring/deadLetter.js';
import type { Scorer } from '../../../shared/contracts/scorer.js';
import { compileForest } from '../../../shared/baseline/compileForest.js';
import { InputValidator } from '../../../shared/scoring/inputValidator.js';
import type { InputEvent } from '../../../shared/contracts/records.js';
import { goodBody, transactionBaseline } from '../../helpers/baselineFixture.js';

const profile = transactionBaseline();
const clock = { nowInMs: () => Date.parse('2026-11-10T12:00:00Z') };
const engineWith = (overrides: Record<string, string> = {}, scorer?: (p: typeof profile) => Scorer) =>
  createScoringEngine(profile, defaultSettings(overrides).scoring, { scorer, random: () => 0.5 });
const meta = (n: number) =>
  readEventMetadata(
    {
      partitionContext: { partitionId: '3' },
      sequenceNumberArray: Array.from({ length: n }, (_, i) => 100 + i),
      offsetArray: Array.from({ length: n }, (_, i) => String(5000 + i)),
      enqueuedTimeUtcArray: Array.from({ length: n }, (_, i) =>
        new Date(Date.UTC(2026, 10, 10, 12, 0, i)).toISOString(),
      ),
    },
    n,
  );

describe('scoreBatch', () => {
  it('scores a mixed batch: good events accepted, malformed dead-lettered, hostile rejected, and nothing lost', async () => {
    const max = profile.numeric.amount!.max;
    const bodies = [
      goodBody('good-1'),
      JSON.stringify(goodBody('good-2')),
      Buffer.from(JSON.stringify(goodBody('good-3'))),
      { id: 'no-features' },
      '{"id": "nan", "features": {"amount": NaN}}',
      Buffer.from([0xc3, 0x28]),
      goodBody('hostile', { amount: max * 50, distance_km: 1e6, tx_count_24h: 500 }),
      goodBody('unseen', { channel: 'fax' }),
    ];
    const result = await scoreBatch(engineWith(), bodies, meta(bodies.length), clock);
    expect(result.scored.length + result.deadLetters.length).toBe(bodies.length);
    const decisions = Object.fromEntries(result.scored.map((r) => [r.id, r.decision]));
    expect(decisions).toEqual({
      'good-1': 'ACCEPT',
      'good-2': 'ACCEPT',
      'good-3': 'ACCEPT',
      hostile: 'REJECT',
      unseen: 'FLAG',
    });
    expect(result.deadLetters.map((d) => d.reason)).toEqual([
      'EVENT.MISSING_FEATURES',
      'EVENT.NOT_FINITE',
      'EVENT.NOT_UTF8',
    ]);
    const hostile = result.scored.find((r) => r.id === 'hostile')!;
    expect(hostile.prediction).toBeNull();
    expect(hostile.reasons[0]).toBe('VALIDATION.HIGH_RISK');
    expect(hostile.features.amount).toBe(max);
  });

  it('writes scored records with the trigger metadata, the prediction and both versions', async () => {
    const result = await scoreBatch(engineWith(), [goodBody('a'), { ...goodBody('b'), label: 0 }], meta(2), clock);
    const [a, b] = result.scored;
    expect(a).toMatchObject({
      kind: 'mrm.scored',
      id: 'a',
      callerId: 'caller-1',
      partition: '3',
      sequenceNumber: 100,
      enqueuedTime: '2026-11-10T12:00:00.000Z',
      label: null,
      prediction: '0',
      decision: 'ACCEPT',
      modelVersion: profile.model.version,
      modelKind: 'input-anomaly-detector',
      profileVersion: profile.profileVersion,
      scoredAt: '2026-11-10T12:00:00.000Z',
    });
    expect(a!.probabilities!['0']! + a!.probabilities!['1']!).toBeCloseTo(1, 12);
    // The forest is no classifier: its anomaly probability is not judged as a class confidence.
    expect(a!.confidence).toBeNull();
    expect(a!.entropy).toBeNull();
    expect(b!.label).toBe(0);
    expect(result.summary).toMatchObject({ events: 2, accepted: 2, labelled: 1, correct: 1 });
  });

  it('judges the confidence of a classifier, never of the input-anomaly detector', async () => {
    const torn = (p: number, kind: Scorer['kind'] = 'onnx'): Scorer => ({
      kind,
      modelVersion: `${kind}:test`,
      scoreBatch: async (requests) =>
        requests.map(() => ({
          ok: true,
          value: { prediction: 'fraud', probabilities: { legit: 1 - p, fraud: p }, score: p },
        })),
    });
    const [coinToss] = (
      await scoreBatch(
        engineWith({}, () => torn(0.52)),
        [goodBody('a')],
        meta(1),
        clock,
      )
    ).scored;
    expect(coinToss).toMatchObject({
      modelKind: 'classifier',
      decision: 'MANUAL_REVIEW',
      reasons: ['CONFIDENCE.LOW_CONFIDENCE', 'CONFIDENCE.HIGH_ENTROPY', 'CONFIDENCE.LOW_MARGIN'],
      confidence: 0.52,
    });
    const [unsure] = (
      await scoreBatch(
        engineWith({}, () => torn(0.66)),
        [goodBody('a')],
        meta(1),
        clock,
      )
    ).scored;
    expect(unsure).toMatchObject({ decision: 'FLAG', reasons: ['CONFIDENCE.LOW_CONFIDENCE'] });
    // The same probabilities from the forest are an anomaly probability: no confidence flag, nothing to review.
    const [forest] = (
      await scoreBatch(
        engineWith({}, () => torn(0.52, 'forest')),
        [goodBody('a')],
        meta(1),
        clock,
      )
    ).scored;
    expect(forest).toMatchObject({
      modelKind: 'input-anomaly-detector',
      decision: 'ACCEPT',
      reasons: [],
      confidence: null,
      entropy: null,
      probabilities: { legit: 0.48, fraud: 0.52 },
    });
  });

  it('keeps the original body of a dead letter so it can be replayed', async () => {
    const binary = Buffer.from([0xff, 0x00, 0x01]);
    const result = await scoreBatch(engineWith(), ['not json', binary, { id: 'x', features: 5 }], meta(3), clock);
    expect(result.deadLetters.map((d) => d.original)).toEqual(['not json', binary, { id: 'x', features: 5 }]);
    const stored = result.deadLetters.map(storedDeadLetter);
    expect(stored.map((d) => [d.bodyEncoding, decodeBody(d)])).toEqual([
      ['text', 'not json'],
      ['base64', binary],
      ['json', { id: 'x', features: 5 }],
    ]);
    expect(result.deadLetters[2]!.id).toBe('x');
    expect(result.deadLetters[1]!.metadata).toMatchObject({ partition: '3', sequenceNumber: 101, offset: '5001' });
  });

  it('dead-letters as SCORER.UNAVAILABLE (replayable) every event the scorer cannot answer', async () => {
    const down: Scorer = {
      kind: 'aml',
      modelVersion: 'aml:test',
      scoreBatch: async (requests) =>
        requests.map(() => ({
          ok: false,
          error: { kind: 'transient', code: 'SCORER.UNAVAILABLE', message: 'breaker open' },
        })),
    };
    const result = await scoreBatch(
      engineWith({}, () => down),
      [goodBody('a'), goodBody('b'), { id: 'bad' }],
      meta(3),
      clock,
    );
    expect(result.scored).toEqual([]);
    expect(result.deadLetters.map((d) => [d.id, d.reason, d.replayable])).toEqual([
      ['a', 'SCORER.UNAVAILABLE', true],
      ['b', 'SCORER.UNAVAILABLE', true],
      ['bad', 'EVENT.MISSING_FEATURES', false],
    ]);
  });

  it('dead-letters every event when the scorer throws, instead of losing the batch', async () => {
    const broken: Scorer = {
      kind: 'aml',
      modelVersion: 'x',
      scoreBatch: async () => {
        throw new Error('socket hang up');
      },
    };
    const result = await scoreBatch(
      engineWith({}, () => broken),
      [goodBody('a'), goodBody('b')],
      meta(2),
      clock,
    );
    expect(result.deadLetters.map((d) => d.reason)).toEqual(['SCORER.UNAVAILABLE', 'SCORER.UNAVAILABLE']);
    expect(result.deadLetters[0]!.message).toBe('Scorer failed: socket hang up');
  });

  it('dead-letters as INTERNAL.ERROR (replayable) only the event whose validation hits a bug; the batch goes on', async () => {
    const engine = engineWith();
    // A validator with a bug on one event: the batch pass throws, so every event is validated again on its own.
    class BuggyValidator extends InputValidator {
      override validate(event: InputEvent) {
        if (event.id === 'bug') throw new Error('index out of range');
        return super.validate(event);
      }
      override validateMany(events: readonly InputEvent[]) {
        if (events.some((e) => e.id === 'bug')) throw new Error('index out of range');
        return super.validateMany(events);
      }
    }
    const buggy = { ...engine, validator: new BuggyValidator(profile, compileForest(profile.model.forest)) };
    const result = await scoreBatch(buggy, [goodBody('a'), goodBody('bug'), goodBody('c')], meta(3), clock);
    expect(result.scored.map((r) => r.id)).toEqual(['a', 'c']);
    expect(result.deadLetters.map((d) => [d.id, d.reason, d.replayable])).toEqual([['bug', 'INTERNAL.ERROR', true]]);
    expect(result.deadLetters[0]!.message).toContain('index out of range');
  });

  it('dead-letters as SCORER.UNAVAILABLE an event the scorer returned no outcome for', async () => {
    const short: Scorer = {
      kind: 'aml',
      modelVersion: 'aml:test',
      scoreBatch: async (requests) =>
        requests
          .slice(1)
          .map(() => ({ ok: true, value: { prediction: '1', probabilities: { '0': 0.2, '1': 0.8 }, score: null } })),
    };
    const result = await scoreBatch(
      engineWith({}, () => short),
      [goodBody('a'), goodBody('b')],
      meta(2),
      clock,
    );
    expect(result.scored.map((r) => r.id)).toEqual(['a']);
    expect(result.deadLetters.map((d) => [d.id, d.reason, d.replayable])).toEqual([['b', 'SCORER.UNAVAILABLE', true]]);
  });

  it('rejects a caller over its query limit, with the reason', async () => {
    const engine = engineWith({ MRM_QUERY_LIMIT: '3' });
    const bodies = [1, 2, 3, 4, 5].map((i) => goodBody(`q${i}`, { amount: 30 + i * 7, hour: 8 + i }));
    const result = await scoreBatch(engine, bodies, meta(5), clock);
    expect(result.scored.map((r) => r.decision)).toEqual(['ACCEPT', 'ACCEPT', 'ACCEPT', 'REJECT', 'REJECT']);
    expect(result.scored[3]!.reasons).toEqual(['EXTRACTION.RATE_LIMITED']);
    expect(result.summary.extractionFlagged).toBe(2);
  });

  it('counts extraction-flagged events by caller, and names the callers in one log line, most flagged first', async () => {
    const engine = engineWith({ MRM_QUERY_LIMIT: '2' });
    const bodies = [
      ...[1, 2, 3, 4, 5].map((i) => goodBody(`a${i}`, { amount: 30 + i * 7 }, 'caller-a')),
      ...[1, 2, 3].map((i) => goodBody(`b${i}`, { amount: 30 + i * 7 }, 'caller-"b"')),
      goodBody('c1', {}, 'caller-c'),
    ];
    const result = await scoreBatch(engine, bodies, meta(9), clock);
    expect(result.summary.extractionFlaggedByCaller).toEqual({ 'caller-a': 3, 'caller-"b"': 1 });
    expect(extractionCallersLine(result.summary, 'Flagged: ')).toBe('Flagged: [["caller-a",3],["caller-\\"b\\"",1]]');
    expect(extractionCallersLine(result.summary, 'Flagged: ', 1)).toBe('Flagged: [["caller-a",3]]');
    const quiet = await scoreBatch(engineWith({}), [goodBody('x')], meta(1), clock);
    expect(extractionCallersLine(quiet.summary, 'Flagged: ')).toBeNull();
  });

  it('flags a probing caller sweeping one feature', async () => {
    const engine = engineWith({ MRM_PROBING_MIN_QUERIES: '20' });
    const bodies = Array.from({ length: 40 }, (_, i) => goodBody(`p${i}`, { amount: 20 + i * 2 }, 'prober'));
    const result = await scoreBatch(engine, bodies, meta(40), clock);
    const last = result.scored.at(-1)!;
    expect(last.reasons).toContain('EXTRACTION.PROBING');
    expect(last.decision).toBe('FLAG');
  });

  it("says a probing caller's query was probing even when validation rejects it", async () => {
    const engine = engineWith({ MRM_PROBING_MIN_QUERIES: '20' });
    const bodies = Array.from({ length: 40 }, (_, i) => goodBody(`p${i}`, { amount: 20 + i * 2 }, 'prober'));
    bodies.push(goodBody('hostile', { amount: profile.numeric.amount!.max * 50 }, 'prober'));
    const result = await scoreBatch(engine, bodies, meta(41), clock);
    const last = result.scored.at(-1)!;
    expect(last.decision).toBe('REJECT');
    expect(last.reasons).toEqual(expect.arrayContaining(['VALIDATION.HIGH_RISK', 'EXTRACTION.PROBING']));
  });

  it('rounds returned probabilities when output protection asks for it', async () => {
    const result = await scoreBatch(engineWith({ MRM_OUTPUT_PROTECTION: 'round' }), [goodBody('a')], meta(1), clock);
    for (const p of Object.values(result.scored[0]!.probabilities!)) expect(Math.round(p * 100) / 100).toBe(p);
  });

  it('never throws and conserves events for arbitrary bodies (property)', async () => {
    const engine = engineWith();
    const featureValue = fc.oneof(fc.double(), fc.string(), fc.constant(null), fc.integer(), fc.boolean());
    const body = fc.oneof(
      fc.anything(),
      fc.string(),
      fc.uint8Array().map((a) => Buffer.from(a)),
      fc.record({
        id: fc.oneof(fc.string(), fc.integer()),
        features: fc.dictionary(fc.constantFrom('amount', 'hour', 'channel', 'zzz'), featureValue),
      }),
      fc.record({
        id: fc.string({ minLength: 1 }),
        callerId: fc.string({ minLength: 1 }),
        features: fc.record({
          amount: fc.double(),
          hour: fc.double(),
          distance_km: fc.double(),
          account_age_days: fc.double(),
          tx_count_24h: fc.double(),
          avg_amount_30d: fc.double(),
          device_trust: fc.double(),
          merchant_category: fc.string(),
          channel: fc.oneof(fc.string(), fc.constant(null)),
        }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(body, { maxLength: 30 }), async (bodies) => {
        const result = await scoreBatch(engine, bodies, meta(bodies.length), clock);
        expect(result.scored.length + result.deadLetters.length).toBe(bodies.length);
        expect(result.summary.events).toBe(bodies.length);
      }),
      { numRuns: 300 },
    );
  });
});
