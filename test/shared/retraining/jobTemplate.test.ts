import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_ENDPOINT_TEMPLATE, EXAMPLE_JOB_TEMPLATE } from '../../../shared/retraining/exampleTemplates.js';
import { fillJobTemplate, type JobTemplateValues } from '../../../shared/retraining/jobTemplate.js';

const values: JobTemplateValues = {
  jobName: 'mrm-retrain-default-0123456789abcdef',
  model: 'default',
  reason: 'Alert rule "x" fired: it said \\"quoted\\"\n',
  magnitude: '0.42',
  features: 'age,income',
  featuresJson: '["age","income"]',
  alertId: '/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/a',
  alertRule: 'mrm-drift',
  claimKey: 'alert-abc',
  triggeredAt: '2026-03-02T10:00:00.000Z',
  captureContainer: 'capture',
  capturePrefix: 'ns/events/',
  scoredCapturePrefix: 'ns/scored/',
  captureWindowStart: '2026-02-23T03:00:00.000Z',
  captureWindowEnd: '2026-03-02T03:00:00.000Z',
  captureDays: '7',
};

describe('fillJobTemplate', () => {
  it('fills placeholders inside string values, any number per string, and leaves the JSON structure alone', () => {
    const filled = fillJobTemplate(
      { properties: { a: '{{model}}-{{ magnitude }}', b: ['{{features}}', 3, null, { c: '{{reason}}' }], d: true } },
      values,
      't.json',
    );
    expect(filled).toEqual({
      ok: true,
      value: { properties: { a: 'default-0.42', b: ['age,income', 3, null, { c: values.reason }], d: true } },
    });
  });

  it("passes Azure ML's own ${{...}} expressions through untouched", () => {
    const filled = fillJobTemplate(
      { properties: { command: 'python t.py --data ${{inputs.capture}} --m {{model}}' } },
      values,
      't.json',
    );
    expect(filled.ok && (filled.value.properties as { command: string }).command).toBe(
      'python t.py --data ${{inputs.capture}} --m default',
    );
  });

  it('drops $comment keys, which document the template but are not part of the request', () => {
    const filled = fillJobTemplate(
      { $comment: 'doc', properties: { $comment: 'x', jobType: 'Command' } },
      values,
      't.json',
    );
    expect(filled).toEqual({ ok: true, value: { properties: { jobType: 'Command' } } });
  });

  it('names unknown placeholders and lists the known ones', () => {
    const filled = fillJobTemplate(
      { properties: { a: '{{learningRate}} {{epochs}} {{model}}' } },
      values,
      'blob:templates/x.json',
    );
    expect(filled.ok).toBe(false);
    if (!filled.ok) {
      expect(filled.error.code).toBe('RETRAIN.TEMPLATE_PLACEHOLDER');
      expect(filled.error.message).toBe(
        `Job template blob:templates/x.json uses unknown placeholders {{learningRate}}, {{epochs}}; known: ${Object.keys(values).join(', ')}`,
      );
    }
  });

  it('requires an object with a properties object (the ARM body)', () => {
    expect(fillJobTemplate([], values, 'a.json')).toMatchObject({
      ok: false,
      error: { code: 'RETRAIN.TEMPLATE_NOT_OBJECT' },
    });
    expect(fillJobTemplate({ jobType: 'Command' }, values, 'a.json')).toMatchObject({
      ok: false,
      error: { message: 'Job template a.json must have a "properties" object (the ARM request body)' },
    });
  });

  it('fills the published examples completely (every placeholder they use is known)', () => {
    for (const template of [EXAMPLE_JOB_TEMPLATE, EXAMPLE_ENDPOINT_TEMPLATE]) {
      const filled = fillJobTemplate(template, values, 'example');
      expect(filled.ok).toBe(true);
      expect(JSON.stringify(filled.ok && filled.value)).not.toMatch(/(?<!\$)\{\{/);
    }
  });

  it('keeps examples/*.template.json equal to the built-in templates', () => {
    expect(JSON.parse(readFileSync('examples/retrain-job.template.json', 'utf8'))).toEqual(EXAMPLE_JOB_TEMPLATE);
    expect(JSON.parse(readFileSync('examples/retrain-endpoint.template.json', 'utf8'))).toEqual(
      EXAMPLE_ENDPOINT_TEMPLATE,
    );
  });
});
