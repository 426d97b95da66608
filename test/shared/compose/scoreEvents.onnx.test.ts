import { describe, expect, it } from 'vitest';
import { InvocationContext } from '@azure/functions';
import { createScoreEventsHandler } from '../../../shared/compose/scoreEvents.js';
import { scorerFromSettings } from '../../../shared/adapters/scorerFromSettings.js';
import { buildBaseline } from '../../../shared/baseline/buildBaseline.js';
import type { BaselineProfile } from '../../../shared/baseline/profile.js';
import { defaultSettings } from '../../../shared/config/settings.js';
import type { ScoredRecord } from '../../../shared/contracts/records.js';
import { noMetrics } from '../../../shared/telemetry/metricsPort.js';
import { azuriteConnectionString, freshContainer } from '../../helpers/storage.js';
import { azuriteDeadLetters } from '../../faults/faultHelpers.js';
import { onnxBytes, onnxGolden, trainingTableFor, type OnnxGolden } from '../../helpers/onnxFixtures.js';

const golden = onnxGolden('breast-cancer-logreg');
const lgbm = onnxGolden('breast-cancer-lgbm');

function baselineOf(g: OnnxGolden): BaselineProfile {
  const built = buildBaseline(trainingTableFor(g), {
    seed: 3,
    createdAt: '2026-11-02T00:00:00.000Z',
    source: { file: g.model, format: 'csv' },
    columns: {},
  });
  if (!built.ok) throw new Error(built.error.message);
  return built.value;
}

const bodies = (g: OnnxGolden) =>
  g.rows.map((row, r) =>
    Buffer.from(
      JSON.stringify({
        id: `row-${r}`,
        callerId: `caller-${r}`,
        features: Object.fromEntries(g.features.map((f, i) => [f.name, row[i]])),
      }),
    ),
  );

function contextFor(count: number, logs: string[] = []) {
  return new InvocationContext({
    invocationId: 'test',
    functionName: 'scoreEvents',
    triggerMetadata: {
      partitionContext: { partitionId: '0' },
      sequenceNumberArray: Array.from({ length: count }, (_, i) => i),
      enqueuedTimeUtcArray: Array.from({ length: count }, () => '2026-11-10T12:00:00.000Z'),
    },
    logHandler: (level, ...args) => logs.push(`${level}: ${args.join(' ')}`),
  });
}

async function setUp() {
  const container = await freshContainer('onnx');
  const settings = defaultSettings({
    MRM_SCORER: 'onnx',
    MRM_ONNX_MODEL_CONTAINER: container.containerName,
    MRM_PROFILE_RELOAD_CHECK_MS: '0',
  });
  const profile = baselineOf(golden);
  const events: string[] = [];
  const scorer = scorerFromSettings(
    settings,
    { AzureWebJobsStorage: azuriteConnectionString() },
    {
      onEvent: (m) => events.push(m),
    },
  );
  const dead = azuriteDeadLetters();
  const handler = createScoreEventsHandler({
    settings,
    profiles: { current: async () => profile },
    metrics: noMetrics,
    deadLetters: dead.sink,
    scorer,
  });
  const uploadModel = (name: string) => container.getBlockBlobClient('model.onnx').uploadData(onnxBytes(name));
  // What each invocation dead-lettered, read back from storage.
  return { handler, uploadModel, events, deadLetters: () => dead.take() };
}

/** Every scored (not rejected) record carries the prediction Python's onnxruntime made of its row. */
function expectGoldenRecords(scored: ScoredRecord[], g: OnnxGolden): void {
  const predicted = scored.filter((r) => r.decision !== 'REJECT');
  expect(predicted.length).toBeGreaterThanOrEqual(g.rows.length * 0.8);
  for (const record of predicted) {
    const expected = g.expected[Number(record.id.slice('row-'.length))]!;
    expect(record.prediction).toBe(expected.label);
    expect(record.modelKind).toBe('classifier');
    g.classes.forEach((c, i) => expect(record.probabilities![c]).toBeCloseTo(expected.probabilities[i]!, 6));
  }
}

describe('scoreEvents with MRM_SCORER=onnx (model blob in Azurite)', () => {
  it('dead-letters every valid event as SCORER.UNAVAILABLE, replayable, until the model is uploaded, then scores', async () => {
    const { handler, uploadModel, deadLetters } = await setUp();
    const logs: string[] = [];
    const context = contextFor(golden.rows.length, logs);
    const scored = await handler(bodies(golden), context);
    const letters = await deadLetters();
    // Rejected events never reach a scorer; every other one is a replayable dead letter, none is lost.
    expect(scored.every((r) => r.decision === 'REJECT')).toBe(true);
    expect(scored.length + letters.length).toBe(golden.rows.length);
    expect(new Set(letters.map((l) => [l.reason, l.replayable].join()))).toEqual(new Set(['SCORER.UNAVAILABLE,true']));
    expect(letters[0]!.message).toMatch(
      /^No ONNX model to score with: The ONNX model onnx-\w+\/model\.onnx does not exist/,
    );
    expect(logs.some((l) => /^error: Model not ready \(MODEL\.UNAVAILABLE\)/.test(l))).toBe(true);

    await uploadModel('breast-cancer-logreg');
    const next = contextFor(golden.rows.length);
    const after = await handler(bodies(golden), next);
    expect(await deadLetters()).toEqual([]);
    expectGoldenRecords(after, golden);
    expect(after[0]!.modelVersion).toMatch(/^onnx:[0-9a-f]{16}$/);
  });

  it('loads a new upload (ETag) and keeps scoring with it; refuses one that does not fit and keeps the last', async () => {
    const { handler, uploadModel, events, deadLetters } = await setUp();
    await uploadModel('breast-cancer-logreg');
    const first = await handler(bodies(golden), contextFor(golden.rows.length));
    expectGoldenRecords(first, golden);

    await uploadModel('breast-cancer-lgbm');
    const second = await handler(bodies(lgbm), contextFor(lgbm.rows.length));
    expectGoldenRecords(second, lgbm);
    expect(second[0]!.modelVersion).not.toBe(first[0]!.modelVersion);

    await uploadModel('iris-gbt');
    const context = contextFor(lgbm.rows.length);
    const third = await handler(bodies(lgbm), context);
    expectGoldenRecords(third, lgbm);
    expect(third[0]!.modelVersion).toBe(second[0]!.modelVersion);
    expect(await deadLetters()).toEqual([]);
    expect(events.at(-1)).toMatch(
      /^Keeping ONNX model onnx:\w+: onnx-\w+\/model\.onnx: The model's inputs do not fit the baseline: its input "input" takes 4 features per row, but the baseline has 30/,
    );
  });
});
