import { RestError, type ContainerClient } from '@azure/storage-blob';
import type { DriftWindow } from '../drift/run/driftWindow.js';
import type { ReportSink } from '../drift/run/ports.js';

/** Writes `<YYYY>-W<ww>/report.json` and `report.html` beside it into the reports container. */
export class BlobReportSink implements ReportSink {
  constructor(private readonly container: ContainerClient) {}

  async write(window: DriftWindow, reportJson: string, html: string): Promise<{ json: string; html: string }> {
    const jsonName = `${window.label}/report.json`;
    const htmlName = `${window.label}/report.html`;
    await this.upload(jsonName, reportJson, 'application/json');
    await this.upload(htmlName, html, 'text/html; charset=utf-8');
    return { json: `${this.container.containerName}/${jsonName}`, html: `${this.container.containerName}/${htmlName}` };
  }

  private async upload(name: string, text: string, contentType: string): Promise<void> {
    const blob = this.container.getBlockBlobClient(name);
    const upload = () =>
      blob.upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: contentType } });
    try {
      await upload();
    } catch (error) {
      if (!(error instanceof RestError) || error.statusCode !== 404) throw error;
      await this.container.createIfNotExists();
      await upload();
    }
  }
}
