import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { LocalCaptureStore } from '../shared/adapters/localCaptureStore.js';
import { readCaptureFile } from '../shared/capture/readCaptureFile.js';
import { parseCaptureNameFormat } from '../shared/capture/captureNameFormat.js';
import { captureSourceOf } from '../shared/drift/run/captureSourceOf.js';
import { windowOf } from '../shared/drift/run/driftWindow.js';
import { profileWindow } from '../shared/drift/run/profileWindow.js';
import { noProfileCache, silentProgress } from '../shared/drift/run/ports.js';
import type { ProfileSchema } from '../shared/drift/schema.js';
import { unwrap } from '../shared/errors.js';

/** What the parent asks one child process to measure (a fresh process, so its peak RSS is the run's own). */
export interface CaptureFoldJob {
  mode: 'fold' | 'ceiling';
  dir: string;
  schemaPath: string;
  fromInMs: number;
  toInMs: number;
}

export interface CaptureFoldResult {
  events: number;
  /** CPU time of the whole process (all threads), user and system: what the run costs a core, whatever else runs. */
  seconds: number;
  wallSeconds: number;
  maxRssInBytes: number;
}

const FORMAT = '{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}';

/**
 * fold: the weekly fold as weeklyDrift runs it (list the window, stream each file, decode, read bodies, profile,
 * merge), one blob at a time. ceiling: the same files streamed through the block decoder with JSON.parse of each
 * Body and nothing else.
 */
async function measure(job: CaptureFoldJob): Promise<CaptureFoldResult> {
  const schema = (JSON.parse(await readFile(job.schemaPath, 'utf8')) as { schema: ProfileSchema }).schema;
  const store = new LocalCaptureStore(job.dir);
  const source = captureSourceOf(store, {
    format: unwrap(parseCaptureNameFormat(FORMAT)),
    namespace: 'bench',
    hubNames: { events: 'events' },
  });
  const window = windowOf(job.fromInMs, job.toInMs);
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  let events = 0;
  if (job.mode === 'fold') {
    const outcome = await profileWindow(
      { source, cache: noProfileCache, clock: { nowInMs: () => performance.now() }, progress: silentProgress },
      { schema, window, concurrency: 1 },
    );
    if (outcome.status !== 'complete') throw new Error('fold did not complete');
    events = outcome.hubs.events!.profile.events;
  } else {
    let sink = 0;
    for await (const blob of source.list('events', window)) {
      const read = await readCaptureFile(source.read(blob), (record) => {
        const body = JSON.parse(record.Body!) as { features: Record<string, number> };
        sink += body.features === undefined ? 0 : 1;
      });
      unwrap(read);
    }
    events = sink;
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  const seconds = (cpu.user + cpu.system) / 1e6;
  return { events, seconds, wallSeconds, maxRssInBytes: process.resourceUsage().maxRSS * 1024 };
}

process.once('message', (job: CaptureFoldJob) => {
  measure(job).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (error: unknown) =>
      process.send!({ ok: false, error: String(error instanceof Error ? error.stack : error) }, () => process.exit(1)),
  );
});
