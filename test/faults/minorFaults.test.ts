import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvocationContext } from '@azure/functions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runScore } from '../../cli/commands/score.js';
import { createScoreEventsHandler } from '../../shared/compose/scoreEvents.js';
import { AmlEndpointScorer } from '../../shared/adapters/amlEndpointScorer.js';
import { defaultSettings } from '../../shared/config/settings.js';
import { compileEventContract } from '../../shared/contracts/eventContract.js';
import type { ScoreRequest } from '../../shared/contracts/scorer.js';
import { noMetrics } from '../../shared/telemetry/metricsPort.js';
import { goodBody, transactionBaseline } from '../helpers/baselineFixture.js';
import { startFakeAmlEndpoint, type FakeAmlEndpoint } from '../helpers/fakeAmlEndpoint.js';
import { alertFixture } from '../shared/retraining/fakes/alertFixtures.js';
import { startRetrainHarness, type RetrainHarness } from '../shared/retraining/fakes/retrainHarness.js';
import { azuriteDeadLetters } from './faultHelpers.js';

// Fault suite, item 11: error bodies disclosed an absolute template path (500) and a host and port (503); a null body
// changed reason on replay (EVENT.EMPTY, then EVENT.NOT_OBJECT); the timestamp 2026-02-30 was accepted; after the
// breaker closed, the recovering batch still dead-lettered most of its events although the endpoint was healthy.

describe('error bodies disclose no path, host or port', () => {
  let harness: RetrainHarness;
  afterEach(async () => harness.close());

  it('names the template as configured, not where it resolved on the machine (500)', async () => {
    harness = await startRetrainHarness({ env: { MRM_RETRAIN_JOB_TEMPLATE: 'templates/missing-{model}.json' } });
    const response = await harness.service.retrain(alertFixture('metric-fired.json'));
    expect(response.status).toBe(500);
    expect(response.body.error).toEqual({
      code: 'RETRAIN.TEMPLATE_MISSING',
      message: 'Job template file templates/missing-default.json (MRM_RETRAIN_JOB_TEMPLATE) cannot be read (ENOENT)',
      setting: 'MRM_RETRAIN_JOB_TEMPLATE',
    });
    expect(JSON.stringify(response.body)).not.toContain(process.cwd());
  });

  it('says ARM could not be reached without saying where it is (503)', async () => {
    harness = await startRetrainHarness({ env: { MRM_ARM_ENDPOINT: 'https://127.0.0.1:9/' } });
    // The alert names its rule, whose tags are read first; a direct payload goes straight to the jobs API.
    const rule = await harness.service.retrain(alertFixture('metric-fired.json'));
    const submit = await harness.service.retrain({ drift_magnitude: 0.9, features: ['income'] });
    expect([rule.status, submit.status]).toEqual([503, 503]);
    expect((rule.body.error as { message: string }).message).toMatch(/: ARM unreachable \(ECONNREFUSED\)$/);
    expect(submit.body.error).toEqual({
      code: 'RETRAIN.SUBMIT_RETRYABLE',
      message: 'Azure ML jobs API unreachable (ECONNREFUSED); will retry',
    });
    for (const body of [rule.body, submit.body]) expect(JSON.stringify(body)).not.toContain('127.0.0.1');
  });
});

describe('a null body', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mrm-null-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('is EVENT.EMPTY when it arrives and again when its dead letter is replayed', async () => {
    const dead = azuriteDeadLetters();
    const handler = createScoreEventsHandler({
      settings: defaultSettings(),
      profiles: { current: async () => transactionBaseline() },
      metrics: noMetrics,
      deadLetters: dead.sink,
    });
    await handler([null, undefined], new InvocationContext({ triggerMetadata: {}, logHandler: () => undefined }));
    const letters = await dead.letters();
    expect(letters.map((l) => l.reason)).toEqual(['EVENT.EMPTY', 'EVENT.EMPTY']);
    const profile = join(dir, 'profile.json');
    await writeFile(profile, JSON.stringify(transactionBaseline()));
    await writeFile(join(dir, 'dead.jsonl'), letters.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const totals = await runScore(
      { baseline: profile, input: join(dir, 'dead.jsonl'), out: join(dir, 'out.jsonl') },
      {},
    );
    expect(totals.deadLetterReasons).toEqual({ 'EVENT.EMPTY': 2 });
  });
});

describe('event timestamps', () => {
  const contract = compileEventContract(transactionBaseline().features, { maxBodyBytes: 65_536 });
  const reason = (timestamp: string) => {
    const decoded = contract.decode({ ...goodBody('e'), timestamp });
    return decoded.ok ? 'OK' : decoded.error.code;
  };

  it('refuses dates that are not on the calendar, and times that are not on the clock', () => {
    for (const timestamp of [
      '2026-02-30',
      '2026-02-29T10:00:00Z',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
      '2026-01-10T24:00:00Z',
      '2026-01-10T23:60:00Z',
      '2026-01-10T23:59:61Z',
      '2026-01-10T10:00:00+25:00',
    ])
      expect(reason(timestamp), timestamp).toBe('EVENT.BAD_TIMESTAMP');
  });

  it('accepts leap days, offsets and fractions', () => {
    for (const timestamp of [
      '2028-02-29',
      '2026-01-10T23:59:59.999Z',
      '2026-01-10T10:00+05:30',
      '2000-02-29T00:00:00-0800',
    ])
      expect(reason(timestamp), timestamp).toBe('OK');
  });
});

describe('the Azure ML scorer when its breaker closes', () => {
  let endpoint: FakeAmlEndpoint;
  beforeAll(async () => {
    endpoint = await startFakeAmlEndpoint({ columns: ['x'] });
  });
  afterAll(async () => endpoint.close());

  it('scores the whole recovering batch: chunks wait for the trial instead of being refused', async () => {
    const clock = { t: 0 };
    const scorer = new AmlEndpointScorer({
      endpointUrl: endpoint.url,
      auth: { kind: 'key', key: 'k' },
      columns: ['x'],
      classes: ['0', '1'],
      maxRetries: 0,
      maxBatchSize: 10,
      concurrency: 2,
      breakerFailures: 1,
      breakerCooldownInMs: 30_000,
      clock: { nowInMs: () => clock.t },
    });
    const requests = (n: number): ScoreRequest[] =>
      Array.from({ length: n }, (_, i) => ({ id: `e${i}`, features: { x: 0.25 }, vector: Float64Array.of(0.25) }));
    endpoint.enqueue({ kind: 'status', status: 503 });
    await scorer.scoreBatch(requests(1));
    expect(scorer.breakerState).toBe('open');
    clock.t += 30_000;
    const outcomes = await scorer.scoreBatch(requests(50));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(50);
    expect(scorer.breakerState).toBe('closed');
  });
});
