#!/usr/bin/env node
// azd hook (postprovision and postdeploy, see azure.yaml): subscribes profileCaptureBlob to the blobs Capture writes,
// through the data account's Event Grid system topic (infra/modules/captureEvents.bicep). Provisioning cannot: the
// endpoint, the Functions host's blob extension webhook, takes the host's blobs_extension system key, which exists
// only once the code runs; and Event Grid proves the endpoint when the subscription is made, so the function must
// answer by then.
//
// Idempotent: one subscription of its own name, written with PUT (the key may have been rotated, and Event Grid never
// returns the endpoint's query string to compare). MRM_WIRE_CAPTURE_EVENTS=false turns it off: weeklyDrift then folds
// every blob itself, as before roll-ups (docs/how-it-works.md). Run it by hand with `azd hooks run postdeploy`.
//
// Usage: node scripts/hooks/wire-capture-events.mjs postprovision|postdeploy   (azd passes its environment)
import { pathToFileURL } from 'node:url';
import { armClient, HookError, pollKey, seconds } from './arm.mjs';

/** The subscription this hook owns, and the function it feeds (functions/profileCaptureBlob.ts). */
export const SUBSCRIPTION_NAME = 'profile-capture-blobs';
export const FUNCTION_NAME = 'profileCaptureBlob';
const WEB_API_VERSION = '2024-04-01';
const EVENT_GRID_API_VERSION = '2025-02-15';
const REQUIRED = [
  'AZURE_FUNCTION_APP_ID',
  'AZURE_FUNCTION_APP_URI',
  'MRM_CAPTURE_EVENTS_TOPIC_ID',
  'MRM_CAPTURE_BLOB_SUBJECT_PREFIXES',
];

/**
 * @param {'postprovision' | 'postdeploy'} phase
 * @param {Record<string, string | undefined>} env
 * @param {(line: string) => void} say
 * @returns {Promise<'disabled' | 'not-deployed' | 'wired'>}
 */
export async function wireCaptureEvents(phase, env, say) {
  if ((env.MRM_WIRE_CAPTURE_EVENTS ?? 'true').trim().toLowerCase() === 'false') {
    say('MRM_WIRE_CAPTURE_EVENTS=false: no Event Grid subscription; weeklyDrift folds every Capture blob itself.');
    return 'disabled';
  }
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0)
    throw new HookError(`Missing azd outputs ${missing.join(', ')}: run \`azd provision\` first.`);
  const prefixes = env.MRM_CAPTURE_BLOB_SUBJECT_PREFIXES.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const arm = armClient(env.AZURE_RESOURCE_MANAGER_ENDPOINT || 'https://management.azure.com/', env);
  const timeoutInMs =
    phase === 'postdeploy'
      ? seconds(env.MRM_WIRE_WEBHOOK_TIMEOUT_SECONDS, 300, 'MRM_WIRE_WEBHOOK_TIMEOUT_SECONDS') * 1000
      : 0;
  const key = await blobsExtensionKey(arm, env.AZURE_FUNCTION_APP_ID, timeoutInMs, say);
  if (key === undefined) {
    say(`${FUNCTION_NAME} is not deployed yet: its Event Grid subscription is made after \`azd deploy\`.`);
    return 'not-deployed';
  }
  const endpoint = new URL('/runtime/webhooks/blobs', env.AZURE_FUNCTION_APP_URI);
  endpoint.searchParams.set('functionName', `Host.Functions.${FUNCTION_NAME}`);
  endpoint.searchParams.set('code', key);
  const path = `${env.MRM_CAPTURE_EVENTS_TOPIC_ID}/eventSubscriptions/${SUBSCRIPTION_NAME}?api-version=${EVENT_GRID_API_VERSION}`;
  await arm.json('PUT', path, subscription(endpoint.toString(), prefixes));
  say(`Event Grid now sends new Capture blobs (${prefixes.length} hub prefixes) to ${FUNCTION_NAME}.`);
  return 'wired';
}

/**
 * Blob-created events under the captured hubs' prefixes, in the Event Grid schema the blob extension reads; delivery
 * retried for a day (a blob the trigger misses is backfilled by weeklyDrift anyway).
 */
export function subscription(endpointUrl, prefixes) {
  return {
    properties: {
      destination: { endpointType: 'WebHook', properties: { endpointUrl } },
      eventDeliverySchema: 'EventGridSchema',
      filter: {
        includedEventTypes: ['Microsoft.Storage.BlobCreated'],
        advancedFilters: [{ operatorType: 'StringBeginsWith', key: 'subject', values: prefixes }],
      },
      retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
    },
  };
}

/** The host's blobs_extension system key, waited for right after a deploy (see pollKey). */
function blobsExtensionKey(arm, siteId, timeoutInMs, say) {
  return pollKey(arm, `${siteId}/host/default/listkeys?api-version=${WEB_API_VERSION}`, {
    // The host creates the key when it first loads a blob trigger with the Event Grid source: until then, wait.
    pick: (keys) =>
      typeof keys.systemKeys?.blobs_extension === 'string' && keys.systemKeys.blobs_extension !== ''
        ? keys.systemKeys.blobs_extension
        : undefined,
    timeoutInMs,
    say,
    doing: 'listing the Functions host keys',
    waiting: 'Waiting for the Functions host and its blob extension key',
    timedOut: `no blobs_extension key after MRM_WIRE_WEBHOOK_TIMEOUT_SECONDS: is ${FUNCTION_NAME} deployed? Run \`azd hooks run postdeploy\` once it runs`,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const phase = process.argv[2];
  if (phase !== 'postprovision' && phase !== 'postdeploy') {
    process.stderr.write('Usage: wire-capture-events.mjs postprovision|postdeploy\n');
    process.exit(2);
  }
  wireCaptureEvents(phase, process.env, (line) => process.stdout.write(`${line}\n`)).catch((error) => {
    process.stderr.write(
      `Could not subscribe ${FUNCTION_NAME} to Capture's blobs: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
