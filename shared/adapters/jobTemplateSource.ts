import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BlobServiceClient } from '@azure/storage-blob';
import { fail, ok, type Result } from '../errors.js';
import type { TemplateSource } from '../retraining/ports.js';
import type { Clock } from '../contracts/clock.js';
import { systemClock } from './clocks.js';
import { isStatus } from './blobStateStore.js';

export interface JobTemplateSourceOptions {
  /** MRM_RETRAIN_JOB_TEMPLATE: a file path, or `blob:<container>/<name>`; `{model}` is replaced by the model name. */
  location: string | undefined;
  /** Used when no location is set (dry runs): the built-in example of the mode. */
  fallback: { template: unknown; source: string };
  blobService: BlobServiceClient | undefined;
  /** Relative file paths resolve against this folder (the app root). */
  baseDirectory: string;
  /** How long a loaded template is reused, in milliseconds; edits show up after it. */
  cacheInMs: number;
  clock?: Clock;
}

const SETTING = 'MRM_RETRAIN_JOB_TEMPLATE';

/** Loads job templates from a file or a blob, per model, cached; every failure names the setting and the location. */
export class JobTemplateSource implements TemplateSource {
  private readonly cache = new Map<string, { value: { template: unknown; source: string }; until: number }>();

  constructor(private readonly options: JobTemplateSourceOptions) {}

  async load(model: string): Promise<Result<{ template: unknown; source: string }>> {
    const location = this.options.location?.replaceAll('{model}', model);
    if (!location) return ok(this.options.fallback);
    const now = (this.options.clock ?? systemClock).nowInMs();
    const cached = this.cache.get(location);
    if (cached && cached.until > now) return ok(cached.value);

    const text = location.startsWith('blob:') ? await this.readBlob(location) : await this.readFile(location);
    if (!text.ok) return text;
    try {
      const value = { template: JSON.parse(text.value) as unknown, source: location };
      this.cache.set(location, { value, until: now + this.options.cacheInMs });
      return ok(value);
    } catch (error) {
      return fail(
        'configuration',
        'RETRAIN.TEMPLATE_NOT_JSON',
        `Job template ${location} (${SETTING}) is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        { setting: SETTING },
      );
    }
  }

  private async readFile(location: string): Promise<Result<string>> {
    const path = resolve(this.options.baseDirectory, location);
    try {
      return ok(await readFile(path, 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return fail(
        'configuration',
        'RETRAIN.TEMPLATE_MISSING',
        // Named as configured: where it resolved on the machine is none of the caller's business.
        `Job template file ${location} (${SETTING}) cannot be read${code ? ` (${code})` : ''}`,
        { setting: SETTING },
      );
    }
  }

  private async readBlob(location: string): Promise<Result<string>> {
    const match = /^blob:([^/]+)\/(.+)$/.exec(location);
    if (!match)
      return fail(
        'configuration',
        'RETRAIN.TEMPLATE_LOCATION',
        `${SETTING}: "${location}" must be blob:<container>/<name> or a file path`,
        { setting: SETTING },
      );
    if (!this.options.blobService)
      return fail('configuration', 'RETRAIN.TEMPLATE_LOCATION', `${SETTING}: ${location} needs a storage connection`, {
        setting: SETTING,
      });
    try {
      const buffer = await this.options.blobService
        .getContainerClient(match[1]!)
        .getBlobClient(match[2]!)
        .downloadToBuffer();
      return ok(buffer.toString('utf8'));
    } catch (error) {
      if (isStatus(error, 404))
        return fail(
          'configuration',
          'RETRAIN.TEMPLATE_MISSING',
          `Job template blob ${location} (${SETTING}) does not exist`,
          {
            setting: SETTING,
          },
        );
      throw error;
    }
  }
}
