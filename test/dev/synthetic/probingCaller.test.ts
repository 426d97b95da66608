import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../shared/config/settings.js';
import { createScoringEngine } from '../../../shared/scoring/createScoringEngine.js';
import { scoreBatch } from '../../../shared/scoring/scoreBatch.js';
import type { EventMetadata } from '../../../shared/scoring/eventMetadata.js';
import type { InputEvent } from '../../../shared/contracts/records.js';
import { ProbingCaller } from '../../../dev/synthetic/probingCaller.js';
import { TransactionGenerator } from '../../../dev/synthetic/transactions.js';
import { transactionBaseline } from '../../helpers/baselineFixture.js';

const T0 = Date.UTC(2026, 2, 4, 2);
const meta = (i: number, spacingInMs: number): EventMetadata => ({
  partition: '0',
  sequenceNumber: i,
  offset: String(i),
  enqueuedTime: new Date(T0 + i * spacingInMs).toISOString(),
  partitionKey: null,
  properties: null,
});

async function score(events: InputEvent[], spacingInMs: number) {
  const engine = createScoringEngine(transactionBaseline(), defaultSettings().scoring);
  const scored = [];
  for (let start = 0; start < events.length; start += 100) {
    const batch = events.slice(start, start + 100);
    const result = await scoreBatch(
      engine,
      batch,
      batch.map((_, k) => meta(start + k, spacingInMs)),
      { nowInMs: () => T0 },
    );
    scored.push(...result.scored);
  }
  return scored;
}

describe('ProbingCaller', () => {
  it('sweeps one feature at a time from a fixed transaction, so consecutive queries differ in exactly one feature', () => {
    const prober = new ProbingCaller('attacker');
    let previous = prober.next('q0', '2026-03-04T02:00:00Z');
    let oneFeatureSteps = 0;
    for (let i = 1; i < 700; i++) {
      const query = prober.next(`q${i}`, '2026-03-04T02:00:00Z');
      expect(query.callerId).toBe('attacker');
      const changed = Object.keys(query.features).filter((k) => query.features[k] !== previous.features[k]);
      if (changed.length === 1) oneFeatureSteps++;
      expect(changed.length).toBeLessThanOrEqual(2);
      previous = query;
    }
    // Only the switch from one swept feature to the next changes two at once.
    expect(oneFeatureSteps).toBeGreaterThan(690);
  });

  it('is flagged as probing by the real extraction defence, and rejected past 1,000 queries an hour', async () => {
    const prober = new ProbingCaller('attacker');
    // 1,200 queries, 2.5 s apart: 50 minutes.
    const queries = Array.from({ length: 1200 }, (_, i) => prober.next(`q${i}`, new Date(T0 + i * 2500).toISOString()));
    const scored = await score(queries, 2500);
    const probing = scored.filter((r) => r.reasons.includes('EXTRACTION.PROBING')).length;
    const limited = scored.filter((r) => r.reasons.includes('EXTRACTION.RATE_LIMITED'));
    // Of the 1,000 admitted queries, all but the first ones (before the defence judges) and a few at sweep changes.
    expect(limited).toHaveLength(200);
    expect(probing / 1000).toBeGreaterThan(0.75);
    expect(limited.every((r) => r.decision === 'REJECT')).toBe(true);
  });

  it('stands out: the same number of ordinary transactions from one caller raises no extraction flag', async () => {
    const generator = new TransactionGenerator(21);
    const ordinary = Array.from({ length: 600 }, (_, i) =>
      generator.event(`t${i}`, 'cardholder', new Date(T0 + i * 6000).toISOString()),
    );
    const scored = await score(ordinary, 6000);
    expect(scored.filter((r) => r.reasons.some((reason) => reason.startsWith('EXTRACTION.')))).toHaveLength(0);
  });
});
