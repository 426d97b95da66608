import { app } from '@azure/functions';
import { loadSettings } from '../shared/config/settings.js';
import { unwrap } from '../shared/errors.js';
import { profileCaptureBlobHandler } from '../shared/compose/profileCaptureBlob.js';

// Settings are read and validated once, at cold start; a bad setting stops the app with its name.
const settings = unwrap(loadSettings(process.env));

/**
 * Profiles each Capture file as it lands. `source: 'EventGrid'` is the event-based blob trigger, the only one Flex
 * Consumption runs (an Event Grid subscription on the capture container delivers BlobCreated to the blobs extension
 * webhook; infra/ creates it), and the platform scales it out per event. `dataType: 'binary'` hands over the bytes.
 */
app.storageBlob('profileCaptureBlob', {
  path: `${settings.drift.captureContainer}/{name}`,
  connection: settings.core.storageConnection,
  source: 'EventGrid',
  dataType: 'binary',
  handler: profileCaptureBlobHandler(settings, process.env),
} as Parameters<typeof app.storageBlob>[1]);
