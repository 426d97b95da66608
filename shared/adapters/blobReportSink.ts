import type { ContainerClient } from '@azure/storage-blob';
import { uploadCreatingContainer } from './uploadCreatingContainer.js';
import type { DriftWindow } from '../drift/run/driftWindow.js';
import type { ReportSink } from '../drift/run/ports.js';

/** Writes `<YYYY>-W<ww>/report.json` and `report.html` beside it into the reports container. */
export class BlobReportSink implements ReportSink {
  constructor(private readonly container: ContainerClient) {}

  async write(window: DriftWindow, reportJson: string, html: string): Promise<{ json: string; html: string }> {
    const jsonName = `${window.label}/report.json`;
    const htmlName = `${window.label}/report.html`;
    await uploadCreatingContainer(this.container, jsonName, reportJson, 'application/json');
    await uploadCreatingContainer(this.container, htmlName, html, 'text/html; charset=utf-8');
    return { json: `${this.container.containerName}/${jsonName}`, html: `${this.container.containerName}/${htmlName}` };
  }
}
