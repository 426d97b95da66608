import { fork, type Serializable } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RollupBenchJob, RollupBenchResult } from './rollupsChild.js';
import type { LandingBenchJob, LandingBenchResult } from './landingChild.js';

export interface RollupFigures extends RollupBenchResult {
  job: RollupBenchJob;
  heapLimitInMiB: number;
  /** Real Capture files folded blob by blob: the fold, weeklyDrift's step and profileCaptureBlob's, in events/s of CPU. */
  perBlob: LandingBenchResult & { job: LandingBenchJob };
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * A simulated week of 1B events as per-blob profiles (32 partitions × 12 files an hour × 168 hours, 20 features,
 * 15.5k events a blob), in one child process with a 512 MB heap limit: building the 168 hourly roll-ups of a hub,
 * the weekly merge of those 168 roll-ups (parse + exact merge), and the per-blob cost of a roll-up's conditional
 * read-merge-write. Peak RSS is the child's own. Then, in a second child, real Capture files folded one by one: the
 * fold alone, weeklyDrift's step and profileCaptureBlob's, each with both stored encodings (storedDocument.ts).
 */
export async function benchRollups(
  options: Partial<RollupBenchJob> = {},
  landing: Partial<LandingBenchJob> = {},
): Promise<RollupFigures> {
  const job: RollupBenchJob = {
    partitions: 32,
    filesPerHour: 12,
    hours: 168,
    features: 20,
    eventsPerBlob: 15_500,
    conditionalUpdates: 384,
    ...options,
  };
  const heapLimitInMiB = 512;
  const result = await inChild<RollupBenchResult>('rollupsChild.js', { ...job }, [
    `--max-old-space-size=${heapLimitInMiB}`,
  ]);
  const landingJob: LandingBenchJob = {
    features: job.features,
    eventsPerBlob: job.eventsPerBlob,
    files: 8,
    prefilled: Math.round((job.partitions * job.filesPerHour) / 2),
    timed: 48,
    repeats: 3,
    ...landing,
  };
  const perBlob = await inChild<LandingBenchResult>('landingChild.js', { ...landingJob }, []);
  return { ...result, job, heapLimitInMiB, perBlob: { ...perBlob, job: landingJob } };
}

function inChild<T>(module: string, job: Serializable, execArgv: string[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(join(here, module), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message: { ok: true; result: T } | { ok: false; error: string }) => {
      if (message.ok) resolve(message.result);
      else reject(new Error(message.error));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${module} exited with code ${code}`));
    });
    child.send(job);
  });
}

export function formatRollupFigures(f: RollupFigures): string[] {
  const mib = (bytes: number) => (bytes / 1048576).toFixed(0);
  const mergeOk = f.weeklyMergeSeconds < 5 ? 'ok' : 'OVER TARGET';
  const rssOk = f.maxRssInBytes < 400 * 1048576 ? 'ok' : 'OVER TARGET';
  return [
    `roll-ups: ${f.blobs} per-blob profiles (${(f.events / 1e9).toFixed(2)}B events, ${f.job.features} features) → ${f.job.hours} hourly roll-ups in ${f.rollupBuildSeconds.toFixed(1)} s (${((f.rollupBuildSeconds * 1000) / f.blobs).toFixed(2)} ms/blob), ${(f.rollupBytes / f.job.hours / 1024).toFixed(0)} KiB per roll-up`,
    `roll-ups: weekly merge of ${f.job.hours} roll-ups of a hub ${f.weeklyMergeSeconds.toFixed(2)} s (target < 5 s: ${mergeOk}); peak RSS ${mib(f.maxRssInBytes)} MiB under --max-old-space-size=${f.heapLimitInMiB} (target < 400 MiB: ${rssOk})`,
    `roll-ups: a landing blob's conditional roll-up update (read, merge, If-Match write; in memory, the hour filling from 0 to ${f.job.conditionalUpdates} blobs) ${f.updateMsPerBlob.toFixed(2)} ms of CPU per blob`,
    ...formatPerBlob(f.perBlob),
  ];
}

/** events/s of CPU time per step, and what the roll-up update adds to a blob's profiling. */
function formatPerBlob(p: RollupFigures['perBlob']): string[] {
  const rate = (seconds: number) => Math.round(p.events / seconds).toLocaleString('en-US');
  const foldMs = (p.foldSeconds * 1000) / p.job.timed;
  const added = (encoding: 'plain' | 'fast') =>
    ((100 * p.updateMsPerBlob[encoding]) / (foldMs + p.entryMsPerBlob[encoding])).toFixed(1);
  return [
    `per blob (${p.job.timed} Capture files of ${p.job.eventsPerBlob} events, ${p.job.features} features, into an hour holding ${p.job.prefilled}; events/s of CPU, best of ${p.job.repeats}): ` +
      `fold alone ${rate(p.foldSeconds)}; weeklyDrift's step (fold + cache entry + merge) plain ${rate(p.weeklySeconds.plain)}, fast ${rate(p.weeklySeconds.fast)}; ` +
      `profileCaptureBlob's step (fold + cache entry + roll-up update) plain ${rate(p.landingSeconds.plain)}, fast ${rate(p.landingSeconds.fast)}`,
    `per blob, steps alone (CPU ms per blob): fold ${foldMs.toFixed(2)}; cache entry plain ${p.entryMsPerBlob.plain.toFixed(2)}, fast ${p.entryMsPerBlob.fast.toFixed(2)}; ` +
      `roll-up update plain ${p.updateMsPerBlob.plain.toFixed(2)} (+${added('plain')}%), fast ${p.updateMsPerBlob.fast.toFixed(2)} (+${added('fast')}%); ` +
      `roll-up of the hour ${(p.rollupBytes.fast / 1024).toFixed(0)} KiB fast, ${(p.rollupBytes.plain / 1024).toFixed(0)} KiB plain. ` +
      `Against the code before a change: scripts/bench/paired-per-blob.mjs`,
  ];
}
