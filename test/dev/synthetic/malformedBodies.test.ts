import { describe, expect, it } from 'vitest';
import { deliveredBody } from '../../../cli/demo/deliveredBody.js';
import { createRandom } from '../../../shared/baseline/random.js';
import { defaultSettings } from '../../../shared/config/settings.js';
import { createScoringEngine } from '../../../shared/scoring/createScoringEngine.js';
import { MALFORMED_KINDS, malformedBody, type MalformedKind } from '../../../dev/synthetic/malformedBodies.js';
import { TransactionGenerator } from '../../../dev/synthetic/transactions.js';
import { transactionBaseline } from '../../helpers/baselineFixture.js';

const engine = createScoringEngine(transactionBaseline(), defaultSettings().scoring);
const event = new TransactionGenerator(3).event('tx-1', 'caller-1', '2026-03-03T10:00:00.000Z');

describe('malformedBody', () => {
  it.each(Object.entries(MALFORMED_KINDS) as Array<[MalformedKind, string]>)(
    'breaks an event as "%s", which the event contract refuses with %s',
    (kind, code) => {
      for (let seed = 0; seed < 20; seed++) {
        const { kind: made, body } = malformedBody(createRandom(seed), event, kind);
        expect(made).toBe(kind);
        const decoded = engine.contract.decode(deliveredBody(body));
        expect(decoded.ok).toBe(false);
        if (!decoded.ok) expect(decoded.error.code).toBe(code);
      }
    },
  );

  it('draws every kind when none is asked for, and leaves the original event untouched', () => {
    const before = JSON.stringify(event);
    const random = createRandom(11);
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) seen.add(malformedBody(random, event).kind);
    expect([...seen].sort()).toEqual(Object.keys(MALFORMED_KINDS).sort());
    expect(JSON.stringify(event)).toBe(before);
  });

  it('is reproducible for a seed', () => {
    const a = malformedBody(createRandom(5), event);
    const b = malformedBody(createRandom(5), event);
    expect(b.kind).toBe(a.kind);
    expect(b.body.equals(a.body)).toBe(true);
  });
});
