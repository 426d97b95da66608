import { describe, expect, it } from 'vitest';
import { deadLetterPartName, deadLetterParts } from '../../../shared/scoring/deadLetterSink.js';
import type { DeadLetter, StoredDeadLetter } from '../../../shared/scoring/deadLetter.js';
import { UNKNOWN_METADATA, type EventMetadata } from '../../../shared/scoring/eventMetadata.js';

const letter = (i: number, bytes: number): DeadLetter => ({
  kind: 'mrm.deadletter',
  id: null,
  reason: 'EVENT.TOO_LARGE',
  message: 'too large',
  replayable: false,
  original: Buffer.alloc(bytes, i % 256),
  metadata: { ...UNKNOWN_METADATA, sequenceNumber: i },
  profileVersion: 'p1',
  deadLetteredAt: '2026-11-10T12:00:00.000Z',
});

const linesOf = (part: Buffer) =>
  part
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as StoredDeadLetter);

describe('deadLetterParts', () => {
  it('splits a batch into parts of at most the limit, every letter once and in order', () => {
    const parts = [
      ...deadLetterParts(
        Array.from({ length: 30 }, (_, i) => letter(i, 3000)),
        10_000,
      ),
    ];
    expect(parts.length).toBeGreaterThan(10);
    for (const part of parts) expect(part.byteLength).toBeLessThanOrEqual(10_000);
    expect(parts.flatMap(linesOf).map((l) => l.metadata.sequenceNumber)).toEqual(
      Array.from({ length: 30 }, (_, i) => i),
    );
  });

  it('gives a line longer than the limit a part of its own', () => {
    const parts = [...deadLetterParts([letter(0, 100), letter(1, 50_000), letter(2, 100)], 10_000)];
    expect(parts.map((p) => linesOf(p).map((l) => l.metadata.sequenceNumber))).toEqual([[0], [1], [2]]);
  });

  it('encodes nothing before it is asked for the part', () => {
    let encoded = 0;
    const counted = function* () {
      for (let i = 0; i < 10; i++) {
        encoded++;
        yield letter(i, 6000);
      }
    };
    const parts = deadLetterParts(counted(), 10_000);
    parts.next();
    expect(encoded).toBe(2);
  });
});

describe('deadLetterPartName', () => {
  const first: EventMetadata = {
    ...UNKNOWN_METADATA,
    partition: '3',
    sequenceNumber: 1207,
    enqueuedTime: '2026-11-10T23:59:59.900Z',
  };

  it('names parts after the batch (enqueued hour, partition, first sequence number), so a retry writes the same names', () => {
    const at = Date.parse('2026-11-11T00:00:05Z');
    expect(deadLetterPartName({ first, atInMs: at }, 2, () => 'u')).toBe('2026/11/10/23/3-1207-002.jsonl');
  });

  it('falls back to the handling time and a unique name without trigger metadata', () => {
    const at = Date.parse('2026-11-11T00:00:05Z');
    expect(deadLetterPartName({ first: UNKNOWN_METADATA, atInMs: at }, 1, () => 'u-1')).toBe(
      '2026/11/11/00/u-1-001.jsonl',
    );
  });
});
