import type { CaptureRecord } from './captureSchema.js';
import type { CaptureRecordView } from './types.js';

/**
 * An avsc record handed on as a view (for readers without a hand-read layout): its body re-encoded, so decoding those
 * bytes as UTF-8 gives back the very string avsc decoded.
 */
export function viewOfRecord(onView: (view: CaptureRecordView) => void): (record: CaptureRecord) => void {
  const view: CaptureRecordView = {
    block: Buffer.alloc(0),
    sequenceNumber: 0,
    enqueuedTimeUtc: '',
    bodyStart: -1,
    bodyEnd: -1,
  };
  return (record) => {
    const body = record.Body === null ? null : Buffer.from(record.Body, 'utf8');
    view.block = body ?? Buffer.alloc(0);
    view.sequenceNumber = record.SequenceNumber;
    view.enqueuedTimeUtc = record.EnqueuedTimeUtc;
    view.bodyStart = body === null ? -1 : 0;
    view.bodyEnd = body === null ? -1 : body.length;
    onView(view);
  };
}
