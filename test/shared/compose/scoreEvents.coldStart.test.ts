import { describe, expect, it } from 'vitest';
import { InvocationContext } from '@azure/functions';
import { createScoreEventsHandler } from '../../../shared/compose/scoreEvents.js';
import { scorerFromSettings } from '../../../shared/adapters/scorerFromSettings.js';
import { defaultSettings } from '../../../shared/config/settings.js';
import { noMetrics } from '../../../shared/telemetry/metricsPort.js';
import { goodBody, transactionBaseline } from '../../helpers/baselineFixture.js';
import { ONNX_FIXTURES } from '../../helpers/onnxFixtures.js';
import { azuriteDeadLetters } from '../../faults/faultHelpers.js';
import { join } from 'node:path';

/** Shared libraries this process has loaded (each test file runs in a fresh process: vitest pool forks, isolated). */
const onnxRuntimeLoaded = () =>
  (process.report.getReport() as { sharedObjects: string[] }).sharedObjects.some((path) =>
    path.includes('onnxruntime'),
  );

describe('scoreEvents cold start', () => {
  it('never loads onnxruntime when the scorer is not onnx; loads it on first use when it is', async () => {
    const profile = transactionBaseline();
    const context = () => new InvocationContext({ triggerMetadata: {}, logHandler: () => undefined });
    const forest = createScoreEventsHandler({
      settings: defaultSettings(),
      profiles: { current: async () => profile },
      metrics: noMetrics,
      deadLetters: azuriteDeadLetters().sink,
      scorer: scorerFromSettings(defaultSettings(), {}),
    });
    expect(await forest([goodBody('a')], context())).toHaveLength(1);
    expect(onnxRuntimeLoaded()).toBe(false);

    const settings = defaultSettings({ MRM_SCORER: 'onnx' });
    const onnx = createScoreEventsHandler({
      settings,
      profiles: { current: async () => profile },
      metrics: noMetrics,
      deadLetters: azuriteDeadLetters().sink,
      scorer: scorerFromSettings(settings, {}, { modelFile: '/nonexistent/model.onnx' }),
    });
    await onnx([goodBody('b')], context());
    // The file is missing, so no model loads, and nothing has needed the runtime yet.
    expect(onnxRuntimeLoaded()).toBe(false);
    const withModel = scorerFromSettings(settings, {}, { modelFile: join(ONNX_FIXTURES, 'iris-gbt.onnx') })!(profile);
    // That model does not fit this profile; finding out needed the runtime.
    expect(await withModel.ready?.()).toMatchObject({ ok: false, error: { code: 'MODEL.INPUT_MISMATCH' } });
    expect(onnxRuntimeLoaded()).toBe(true);
  });
});
