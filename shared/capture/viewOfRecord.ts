import type { CaptureRecordBytes } from './captureSchema.js';
import type { CaptureRecordView } from './types.js';

/**
 * An avsc record handed on as a view (plain reading, and writers without a hand-read layout): read with
 * CAPTURE_VIEW_READER_SCHEMA, its body is the event's bytes as they were sent, so a body that is not UTF-8 stays one.
 */
export function viewOfRecord(onView: (view: CaptureRecordView) => void): (record: CaptureRecordBytes) => void {
  const view: CaptureRecordView = {
    block: Buffer.alloc(0),
    sequenceNumber: 0,
    enqueuedTimeUtc: '',
    bodyStart: -1,
    bodyEnd: -1,
  };
  return (record) => {
    const body = record.Body;
    view.block = body ?? Buffer.alloc(0);
    view.sequenceNumber = record.SequenceNumber;
    view.enqueuedTimeUtc = record.EnqueuedTimeUtc;
    view.bodyStart = body === null ? -1 : 0;
    view.bodyEnd = body === null ? -1 : body.length;
    onView(view);
  };
}
