import type { CaptureNameFormat } from '../../capture/captureNameFormat.js';
import { listCaptureBlobs } from '../../capture/listCaptureBlobs.js';
import type { CaptureStore } from '../../capture/ports.js';
import type { CapturedHub } from './types.js';
import type { CaptureSource } from './ports.js';

export interface CaptureSourceOptions {
  format: CaptureNameFormat;
  /** Event Hubs namespace name in blob names; undefined discovers it. */
  namespace?: string | undefined;
  /** The Event Hub name of each captured hub (only these are read). */
  hubNames: Partial<Record<CapturedHub, string>>;
}

/** The use case's CaptureSource over a blob store, listing by the Capture name format. */
export function captureSourceOf(store: CaptureStore, options: CaptureSourceOptions): CaptureSource {
  const hubs = (['events', 'scored'] as const).filter((hub) => options.hubNames[hub] !== undefined);
  return {
    hubs,
    list: (hub, window) =>
      listCaptureBlobs(store, options.format, {
        eventHub: options.hubNames[hub]!,
        ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
        fromInMs: window.fromInMs,
        toInMs: window.toInMs,
      }),
    read: (blob) => store.read(blob),
  };
}
