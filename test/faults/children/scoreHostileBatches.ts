// Drives the real scoreEvents handler, with the production dead-letter sink on Azurite, over one batch of 100
// one-megabyte hostile bodies (HOSTILE_BATCH: 0 or 1, see below), and prints what it scored and its peak resident
// memory as one JSON line. Run in a process of its own per batch by test/faults/hostileBodies.test.ts, so that the
// memory measured is the handler's alone.
import functions from '@azure/functions';
import { createScoreEventsHandler } from '../../../shared/compose/scoreEvents.js';
import { BlobDeadLetterSink } from '../../../shared/adapters/blobDeadLetterSink.js';
import { blobServiceClientFor } from '../../../shared/adapters/blobServiceClient.js';
import { loadSettings } from '../../../shared/config/settings.js';
import { unwrap } from '../../../shared/errors.js';
import { noMetrics } from '../../../shared/telemetry/metricsPort.js';
import { goodBody, transactionBaseline } from '../../helpers/baselineFixture.js';
import { hostileBody } from '../hostileBodies.js';

const profile = transactionBaseline();
const batches = [
  // Over MRM_MAX_BODY_BYTES (64 KiB): EVENT.TOO_LARGE, kept whole.
  { env: {}, first: 0, bodies: () => Array.from({ length: 100 }, (_, i) => hostileBody(i)) },
  // Under a raised limit, so that they take the contract's decoding paths; four good events among them.
  {
    env: { MRM_MAX_BODY_BYTES: String(2 * 1024 * 1024) },
    first: 100,
    bodies: () => [
      ...Array.from({ length: 96 }, (_, i) => hostileBody(100 + i)),
      ...Array.from({ length: 4 }, (_, i) => Buffer.from(JSON.stringify(goodBody(`good-${i}`)))),
    ],
  },
];

const scored: number[] = [];
let blobs = 0;
for (const batch of [batches[Number(process.env.HOSTILE_BATCH)]!]) {
  const settings = unwrap(loadSettings({ ...process.env, ...batch.env }));
  const container = blobServiceClientFor(settings.core.storageConnection, process.env).getContainerClient(
    settings.scoring.deadLetterContainer,
  );
  const production = new BlobDeadLetterSink(container);
  const handler = createScoreEventsHandler({
    settings,
    profiles: { current: async () => profile },
    metrics: noMetrics,
    deadLetters: {
      write: async (letters, at) => {
        const names = await production.write(letters, at);
        blobs += names.length;
        return names;
      },
    },
  });
  const bodies = batch.bodies();
  const context = new functions.InvocationContext({
    functionName: 'scoreEvents',
    triggerMetadata: {
      partitionContext: { partitionId: '0' },
      sequenceNumberArray: bodies.map((_, i) => batch.first + i),
      enqueuedTimeUtcArray: bodies.map(() => '2026-11-10T12:00:00.000Z'),
    },
    logHandler: () => undefined,
  });
  for (const record of await handler(bodies, context)) scored.push(record.sequenceNumber!);
}
process.stdout.write(`${JSON.stringify({ scored, blobs, maxRssInBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
