import { RestError, type ContainerClient } from '@azure/storage-blob';
import { errorMessage, fail, ok, type Result } from '../errors.js';
import { uploadCreatingContainer } from './uploadCreatingContainer.js';
import type { DriftWindow } from '../drift/run/driftWindow.js';
import type { ReportHistory, ReportSink } from '../drift/run/ports.js';

/**
 * Writes `<label>/report.json` and `report.html` beside it into the reports container (`2026-W48/`, or
 * `2026-11-30/` for a daily window), and reads earlier windows' report.json back for the trend.
 */
export class BlobReportSink implements ReportSink, ReportHistory {
  constructor(private readonly container: ContainerClient) {}

  async write(window: DriftWindow, reportJson: string, html: string): Promise<{ json: string; html: string }> {
    const jsonName = `${window.label}/report.json`;
    const htmlName = `${window.label}/report.html`;
    await uploadCreatingContainer(this.container, jsonName, reportJson, 'application/json');
    await uploadCreatingContainer(this.container, htmlName, html, 'text/html; charset=utf-8');
    return { json: `${this.container.containerName}/${jsonName}`, html: `${this.container.containerName}/${htmlName}` };
  }

  async read(label: string): Promise<Result<unknown>> {
    const name = `${label}/report.json`;
    let text: string;
    try {
      text = (await this.container.getBlobClient(name).downloadToBuffer()).toString('utf8');
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return ok(undefined);
      return fail('transient', 'TREND.READ_FAILED', `${this.container.containerName}/${name}: ${errorMessage(error)}`);
    }
    try {
      return ok(JSON.parse(text) as unknown);
    } catch (error) {
      return fail('bad-input', 'TREND.NOT_JSON', `${this.container.containerName}/${name}: ${errorMessage(error)}`);
    }
  }
}
