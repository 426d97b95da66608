import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScore } from '../../cli/commands/score.js';
import { TransactionGenerator } from '../../dev/synthetic/transactions.js';
import { transactionBaseline } from '../helpers/baselineFixture.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mrm-score-stream-'));
  await writeFile(join(dir, 'profile.json'), JSON.stringify(transactionBaseline()));
  // 3000 ordinary transactions labelled as they are, then 1000 whose labels all say the model is wrong.
  const generator = new TransactionGenerator(41);
  const lines: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const event = generator.event(`t${i}`, `caller-${i}`, '2026-11-10T12:00:00Z', { fraudRate: 0 });
    lines.push(JSON.stringify(i < 3000 ? event : { ...event, label: 1 }));
  }
  await writeFile(join(dir, 'events.jsonl'), lines.join('\n') + '\n');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('mrm score with the stream detectors', () => {
  const args = () => ({
    baseline: join(dir, 'profile.json'),
    input: join(dir, 'events.jsonl'),
    out: join(dir, 'scored.jsonl'),
  });

  it('runs the same detectors over the file and returns their pages', async () => {
    const totals = await runScore(args(), { MRM_STREAM_WINDOW_EVENTS: '100' });
    const alarms = totals.streamAlarms!;
    const labelled = alarms.filter((a) => a.detector === 'errorCusum' || a.detector === 'errorWindow');
    expect(labelled.length).toBeGreaterThan(0);
    for (const a of labelled) {
      expect(a.partition).toBe('file');
      expect(a.atEvent).toBeGreaterThan(3000);
    }
    expect(Math.min(...labelled.map((a) => a.atEvent))).toBeLessThan(3200);
  });

  it('runs none with MRM_STREAM_DETECTORS=false', async () => {
    const totals = await runScore(args(), { MRM_STREAM_DETECTORS: 'false' });
    expect(totals.streamAlarms).toBeNull();
    expect(totals.scored).toBe(4000);
  });
});
