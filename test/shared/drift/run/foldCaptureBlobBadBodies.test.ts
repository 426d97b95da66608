import { describe, expect, it } from 'vitest';
import { captureEvent, encodeCaptureFile } from '../../../../shared/capture/captureFileWriter.js';
import { defaultSettings } from '../../../../shared/config/settings.js';
import { foldCaptureBlob } from '../../../../shared/drift/run/foldCaptureBlob.js';
import { readEventMetadata } from '../../../../shared/scoring/eventMetadata.js';
import { createScoringEngine } from '../../../../shared/scoring/createScoringEngine.js';
import { scoreBatch } from '../../../../shared/scoring/scoreBatch.js';
import { EVENT_REASONS } from '../../../../shared/contracts/eventReasons.js';
import { goodBody, transactionBaseline } from '../../../helpers/baselineFixture.js';

const baseline = transactionBaseline();
const settings = defaultSettings().scoring;
const T0 = Date.UTC(2026, 10, 10, 12);
const clock = { nowInMs: () => T0 };

const text = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const withFeatures = (features: Record<string, unknown>): Buffer =>
  text({ ...goodBody('e'), features: { ...goodBody('e').features, ...features } });
const withoutFeature = (name: string): Buffer => {
  const features: Record<string, unknown> = { ...goodBody('e').features };
  delete features[name];
  return text({ ...goodBody('e'), features });
};
/** A good body with `"amount": <token>`, as a producer that writes non-JSON numbers sends it. */
const amountToken = (token: string): Buffer =>
  Buffer.from(JSON.stringify(goodBody('e')).replace('"amount":40', `"amount":${token}`));

/**
 * Bodies of every kind the event contract tells apart, as the bytes a producer sends to the events hub: Event Hubs
 * Capture keeps these same bytes, so the drift fold reads what scoreEvents read.
 */
const BODIES: ReadonlyArray<[string, Buffer | null]> = [
  ['a well-formed event', text(goodBody('e'))],
  ['a well-formed event with missing values (null)', withFeatures({ amount: null, channel: null })],
  ['a well-formed event with extra top-level fields', text({ ...goodBody('e'), trace: { span: [1, 'x'] } })],
  ['a well-formed event with a label', text({ ...goodBody('e'), label: 1 })],
  [
    'a feature given twice (JSON.parse keeps the last)',
    Buffer.from(JSON.stringify(goodBody('e')).replace('"amount":40', '"amount":"x","amount":40')),
  ],
  ['a body after a UTF-8 byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text(goodBody('e'))])],
  ['no body at all', null],
  ['an empty body', Buffer.alloc(0)],
  ['a body of white space', Buffer.from(' \n\t')],
  ['bytes that are not UTF-8', Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])],
  [
    'a non-UTF-8 byte inside a category',
    Buffer.from(JSON.stringify(goodBody('e')).replace('"pos"', '"p\u00ffs"'), 'latin1'),
  ],
  ['text that is not JSON', Buffer.from('{not json')],
  ['plain text', Buffer.from('plain text')],
  ['NaN (Python json.dumps)', amountToken('NaN')],
  ['Infinity', amountToken('Infinity')],
  ['-Infinity', amountToken('-Infinity')],
  ['a number beyond the double range', amountToken('1e400')],
  ['an array', Buffer.from('[1,2,3]')],
  ['JSON null', Buffer.from('null')],
  ['a number', Buffer.from('42')],
  ['a string', Buffer.from('"event"')],
  ['no id', text({ features: goodBody('e').features })],
  ['an empty id', text({ ...goodBody(''), id: '' })],
  ['a numeric id', text({ ...goodBody('e'), id: 7 })],
  ['an id longer than 256 characters', text(goodBody('x'.repeat(257)))],
  ['an empty caller id', text(goodBody('e', {}, ''))],
  ['a timestamp that is not ISO-8601', text({ ...goodBody('e'), timestamp: 'yesterday' })],
  ['a timestamp off the calendar (February 30th)', text({ ...goodBody('e'), timestamp: '2026-02-30T12:00:00Z' })],
  ['a label that is neither number nor string', text({ ...goodBody('e'), label: true })],
  ['no features', text({ id: 'e', values: [1] })],
  ['features that are an array', text({ id: 'e', features: [1, 2] })],
  ['features that are null', text({ id: 'e', features: null })],
  ['a missing feature', withoutFeature('amount')],
  ['a missing category', withoutFeature('channel')],
  ['an extra feature', withFeatures({ colour: 'red' })],
  ['a feature named __proto__', withFeatures({ ['__proto__']: 1 })],
  ['a string where a number belongs', withFeatures({ amount: '40' })],
  ['a number where a category belongs', withFeatures({ channel: 3 })],
  ['true where a number belongs', withFeatures({ hour: true })],
  ['an object where a number belongs', withFeatures({ hour: { value: 3 } })],
  ['a category longer than 256 characters', withFeatures({ channel: 'c'.repeat(257) })],
  ['a body over MRM_MAX_BODY_BYTES', text({ ...goodBody('e'), padding: 'p'.repeat(settings.maxBodyBytes) })],
];

/** What scoreEvents makes of each body: the reason it dead-letters it with, or `scored`. */
async function scoringOutcomes(bodies: ReadonlyArray<Buffer | null>): Promise<string[]> {
  const engine = createScoringEngine(baseline, settings, { random: () => 0.5 });
  // The binary trigger hands over each body's bytes; a record without a body arrives as an empty one.
  const delivered = bodies.map((b) => b ?? Buffer.alloc(0));
  const metadata = readEventMetadata(
    {
      sequenceNumberArray: delivered.map((_, i) => i),
      enqueuedTimeUtcArray: delivered.map(() => new Date(T0).toISOString()),
    },
    delivered.length,
  );
  const result = await scoreBatch(engine, delivered, metadata, clock);
  const byId = new Map(result.deadLetters.map((d) => [d.metadata.sequenceNumber, d.reason]));
  return delivered.map((_, i) => byId.get(i) ?? 'scored');
}

function captureFile(bodies: ReadonlyArray<Buffer | null>): Buffer {
  return encodeCaptureFile(
    bodies.map((body, i) => captureEvent({ sequenceNumber: i, enqueuedTimeInMs: T0 + i, body })),
    { recordsPerBlock: 7 },
  );
}

function tally(outcomes: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) if (o !== 'scored') counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}

describe('the drift fold reads event bodies as scoreEvents does', () => {
  it('meets every reason of the event contract in the bodies below (else the comparison would leave some out)', async () => {
    const outcomes = await scoringOutcomes(BODIES.map(([, b]) => b));
    expect(new Set(outcomes)).toEqual(new Set(['scored', ...Object.values(EVENT_REASONS)]));
  });

  describe.each(['plain', 'fast'] as const)('bodies read by the %s implementation', (bodyDecoding) => {
    it.each(BODIES.map(([name, body], i) => [name, body, i] as const))(
      'gives %s the reason scoreEvents dead-letters it with, or profiles it when scoreEvents scores it',
      async (_name, body) => {
        const [expected] = await scoringOutcomes([body]);
        const folded = await foldCaptureBlob([captureFile([body])], 'events', baseline.schema, { bodyDecoding });
        if (!folded.ok) throw new Error(folded.error.message);
        const { events, badBodies } = folded.value.profile;
        expect(expected === 'scored' ? { events, badBodies } : { events, badBodies }).toEqual(
          expected === 'scored' ? { events: 1, badBodies: {} } : { events: 0, badBodies: { [expected!]: 1 } },
        );
      },
    );

    it('counts exactly the dead letters of scoreEvents per reason, and profiles exactly the events it scored', async () => {
      // Every body three times over, in one file: the counts must add up as the dead letters do.
      const bodies = [...BODIES, ...BODIES, ...BODIES].map(([, b]) => b);
      const outcomes = await scoringOutcomes(bodies);
      const folded = await foldCaptureBlob([captureFile(bodies)], 'events', baseline.schema, { bodyDecoding });
      if (!folded.ok) throw new Error(folded.error.message);
      expect(folded.value.profile.badBodies).toEqual(tally(outcomes));
      expect(folded.value.profile.events).toBe(outcomes.filter((o) => o === 'scored').length);
    });
  });
});
