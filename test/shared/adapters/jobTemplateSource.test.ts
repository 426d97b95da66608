import { describe, expect, it } from 'vitest';
import { JobTemplateSource } from '../../../shared/adapters/jobTemplateSource.js';
import { blobService, freshContainer } from '../../helpers/storage.js';

const fallback = { template: { properties: { built: 'in' } }, source: 'built-in' };

describe('JobTemplateSource', () => {
  it('uses the built-in template when no location is set', async () => {
    const source = new JobTemplateSource({
      location: undefined,
      fallback,
      blobService: undefined,
      baseDirectory: process.cwd(),
      cacheInMs: 0,
    });
    expect(await source.load('default')).toEqual({ ok: true, value: fallback });
  });

  it('reads a file relative to the app root', async () => {
    const source = new JobTemplateSource({
      location: 'examples/retrain-job.template.json',
      fallback,
      blobService: undefined,
      baseDirectory: process.cwd(),
      cacheInMs: 0,
    });
    const loaded = await source.load('default');
    expect(loaded.ok && (loaded.value.template as { properties: { jobType: string } }).properties.jobType).toBe(
      'Command',
    );
  });

  it('reads blob:<container>/<name> per model, cached for the configured time', async () => {
    const container = await freshContainer('templates');
    const put = (name: string, body: unknown) =>
      container.getBlockBlobClient(name).upload(JSON.stringify(body), JSON.stringify(body).length);
    await put('jobs/churn.json', { properties: { v: 1 } });
    let now = 0;
    const source = new JobTemplateSource({
      location: `blob:${container.containerName}/jobs/{model}.json`,
      fallback,
      blobService: blobService(),
      baseDirectory: '/',
      cacheInMs: 1000,
      clock: { nowInMs: () => now },
    });
    expect(await source.load('churn')).toEqual({
      ok: true,
      value: { template: { properties: { v: 1 } }, source: `blob:${container.containerName}/jobs/churn.json` },
    });
    await put('jobs/churn.json', { properties: { v: 2 } });
    expect(await source.load('churn')).toMatchObject({ value: { template: { properties: { v: 1 } } } });
    now = 1001;
    expect(await source.load('churn')).toMatchObject({ value: { template: { properties: { v: 2 } } } });
    expect(await source.load('fraud')).toMatchObject({
      ok: false,
      error: {
        code: 'RETRAIN.TEMPLATE_MISSING',
        message: `Job template blob blob:${container.containerName}/jobs/fraud.json (MRM_RETRAIN_JOB_TEMPLATE) does not exist`,
      },
    });
  });

  it('names a malformed blob location', async () => {
    const source = new JobTemplateSource({
      location: 'blob:nocontainer',
      fallback,
      blobService: blobService(),
      baseDirectory: '/',
      cacheInMs: 0,
    });
    expect(await source.load('x')).toMatchObject({
      ok: false,
      error: { message: 'MRM_RETRAIN_JOB_TEMPLATE: "blob:nocontainer" must be blob:<container>/<name> or a file path' },
    });
  });
});
