import type { InvocationContext } from '@azure/functions';
import { RestError, type ContainerClient } from '@azure/storage-blob';
import type { Environment, Settings } from '../config/settings.js';
import { errorMessage, kindOf, unwrap } from '../errors.js';
import { printable } from '../printable.js';
import { blobServiceClientFor } from '../adapters/blobServiceClient.js';
import { BlobProfileSource, type ProfileSource } from '../adapters/blobProfileSource.js';
import { BlobProfileCache } from '../adapters/blobProfileCache.js';
import { BlobRollupStore } from '../adapters/blobRollupStore.js';
import { parseCaptureNameFormat } from '../capture/captureNameFormat.js';
import { profileLandedBlob, type CaptureBlobFilter, type LandedBlob } from '../drift/run/profileLandedBlob.js';
import type { ProfileCache } from '../drift/run/ports.js';
import type { RollupStore } from '../drift/run/ports.js';

/** Opens a Capture blob by name when the trigger did not hand over its bytes and ETag; undefined once it is gone. */
export interface CaptureBlobOpener {
  open(name: string): Promise<LandedBlob | undefined>;
}

export interface ProfileCaptureBlobDependencies {
  baseline: ProfileSource;
  cache: ProfileCache;
  rollups: RollupStore;
  filter: CaptureBlobFilter;
  opener: CaptureBlobOpener;
}

/**
 * The profileCaptureBlob handler: a Capture blob landed (Event Grid BlobCreated, through the blob trigger); profile
 * it into the per-blob cache and its hour's roll-up. A bad blob is logged as skipped and the invocation succeeds (it is
 * cached as skipped, so it is never read again); blobs that are not Capture files of the monitored hubs are ignored.
 * Store faults fail the invocation, so the platform delivers the event again.
 */
export function createProfileCaptureBlobHandler(deps: ProfileCaptureBlobDependencies) {
  return async function profileCaptureBlob(blob: unknown, context: InvocationContext): Promise<void> {
    const name = blobNameOf(context);
    if (name === undefined) {
      context.error('profileCaptureBlob: the trigger metadata names no blob (expected `name` or `blobTrigger`)');
      return;
    }
    try {
      const landed = landedFromTrigger(name, blob, context) ?? (await deps.opener.open(name));
      if (!landed) {
        context.warn(printable(`profileCaptureBlob: ${name} is gone (deleted before it was profiled): nothing to do`));
        return;
      }
      const { schema } = await deps.baseline.current();
      const result = await profileLandedBlob(deps, { schema, filter: deps.filter, blob: landed });
      if (result.status === 'ignored') {
        context.log(printable(`profileCaptureBlob: ignored ${name}: ${result.reason}`));
        return;
      }
      const { outcome } = result;
      if (!outcome.ok) {
        context.warn(
          printable(`profileCaptureBlob: skipped ${name} (${result.hub}): ${outcome.code}: ${outcome.message}`),
        );
      } else {
        context.log(
          printable(
            `profileCaptureBlob: ${name} (${result.hub}) ${outcome.profile.events} events, ${outcome.records} records` +
              ` (${result.source === 'cache' ? 'profile from the cache' : 'folded'}); roll-up ${result.rollup}`,
          ),
        );
      }
      if (result.rollup === 'conflict')
        context.warn(
          printable(
            `profileCaptureBlob: ${name} was overwritten after its hour was rolled up: weeklyDrift folds that hour blob by blob`,
          ),
        );
    } catch (error) {
      context.error(
        printable(
          `profileCaptureBlob failed on ${name} (${kindOf(error)}): ${errorMessage(error)}; the event is delivered again`,
        ),
      );
      throw error;
    }
  };
}

/** The blob's path inside the container: the `{name}` of the trigger path, else `blobTrigger` minus the container. */
function blobNameOf(context: InvocationContext): string | undefined {
  const metadata = context.triggerMetadata ?? {};
  if (typeof metadata.name === 'string' && metadata.name !== '') return metadata.name;
  const path = metadata.blobTrigger;
  if (typeof path === 'string' && path.includes('/')) return path.slice(path.indexOf('/') + 1);
  return undefined;
}

/** The trigger's bytes and the ETag of exactly those bytes (the blob's properties), when it gave both. */
function landedFromTrigger(name: string, blob: unknown, context: InvocationContext): LandedBlob | undefined {
  const properties = context.triggerMetadata?.properties;
  const etag =
    typeof properties === 'object' && properties !== null
      ? ((properties as Record<string, unknown>).eTag ??
        (properties as Record<string, unknown>).ETag ??
        (properties as Record<string, unknown>).etag)
      : undefined;
  if (typeof etag !== 'string' || etag === '' || !(blob instanceof Uint8Array)) return undefined;
  return { name, etag, content: [blob] };
}

/** Reads the blob with the SDK: the body and the ETag come from one response, so they always match. */
export function containerBlobOpener(container: ContainerClient): CaptureBlobOpener {
  return {
    async open(name) {
      try {
        const response = await container.getBlobClient(name).download(0, undefined, { maxRetryRequests: 5 });
        const body = response.readableStreamBody;
        return {
          name,
          etag: response.etag!,
          content: body ? (body as AsyncIterable<Uint8Array>) : [],
        };
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 404) return undefined;
        throw error;
      }
    },
  };
}

/** The production dependencies, from settings and the Functions-style connections. */
export function profileCaptureBlobDependencies(settings: Settings, env: Environment): ProfileCaptureBlobDependencies {
  const service = blobServiceClientFor(settings.core.storageConnection, env);
  return {
    baseline: new BlobProfileSource(
      service.getContainerClient(settings.core.baselineContainer),
      settings.core.baselineBlob,
      { reloadCheckInMs: settings.scoring.profileReloadCheckInMs },
    ),
    cache: new BlobProfileCache(service.getContainerClient(settings.drift.cacheContainer)),
    rollups: new BlobRollupStore(service.getContainerClient(settings.drift.cacheContainer)),
    filter: {
      format: unwrap(parseCaptureNameFormat(settings.drift.captureNameFormat)),
      namespace: settings.drift.captureNamespace,
      hubNames: { events: settings.scoring.eventsHub, scored: settings.scoring.scoredHub },
    },
    opener: containerBlobOpener(service.getContainerClient(settings.drift.captureContainer)),
  };
}

/** The production handler, built on first use (cold start stays small; tests import the function file freely). */
export function profileCaptureBlobHandler(settings: Settings, env: Environment) {
  let handler: ReturnType<typeof createProfileCaptureBlobHandler> | undefined;
  return async (blob: unknown, context: InvocationContext): Promise<void> => {
    handler ??= createProfileCaptureBlobHandler(profileCaptureBlobDependencies(settings, env));
    return handler(blob, context);
  };
}
