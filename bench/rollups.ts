import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RollupBenchJob, RollupBenchResult } from './rollupsChild.js';

export interface RollupFigures extends RollupBenchResult {
  job: RollupBenchJob;
  heapLimitInMiB: number;
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * A simulated week of 1B events as per-blob profiles (32 partitions × 12 files an hour × 168 hours, 20 features,
 * 15.5k events a blob), in one child process with a 512 MB heap limit: building the 168 hourly roll-ups of a hub,
 * the weekly merge of those 168 roll-ups (parse + exact merge), and the per-blob cost of a roll-up's conditional
 * read-merge-write. Peak RSS is the child's own.
 */
export async function benchRollups(options: Partial<RollupBenchJob> = {}): Promise<RollupFigures> {
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
  const result = await new Promise<RollupBenchResult>((resolve, reject) => {
    const child = fork(join(here, 'rollupsChild.js'), [], {
      execArgv: [`--max-old-space-size=${heapLimitInMiB}`],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (message: { ok: true; result: RollupBenchResult } | { ok: false; error: string }) => {
      if (message.ok) resolve(message.result);
      else reject(new Error(message.error));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`roll-up bench child exited with code ${code}`));
    });
    child.send(job);
  });
  return { ...result, job, heapLimitInMiB };
}

export function formatRollupFigures(f: RollupFigures): string[] {
  const mib = (bytes: number) => (bytes / 1048576).toFixed(0);
  const mergeOk = f.weeklyMergeSeconds < 5 ? 'ok' : 'OVER TARGET';
  const rssOk = f.maxRssInBytes < 400 * 1048576 ? 'ok' : 'OVER TARGET';
  return [
    `roll-ups: ${f.blobs} per-blob profiles (${(f.events / 1e9).toFixed(2)}B events, ${f.job.features} features) → ${f.job.hours} hourly roll-ups in ${f.rollupBuildSeconds.toFixed(1)} s (${((f.rollupBuildSeconds * 1000) / f.blobs).toFixed(2)} ms/blob), ${(f.rollupBytes / f.job.hours / 1024).toFixed(0)} KiB per roll-up`,
    `roll-ups: weekly merge of ${f.job.hours} roll-ups of a hub ${f.weeklyMergeSeconds.toFixed(2)} s (target < 5 s: ${mergeOk}); peak RSS ${mib(f.maxRssInBytes)} MiB under --max-old-space-size=${f.heapLimitInMiB} (target < 400 MiB: ${rssOk})`,
    `roll-ups: a landing blob's conditional roll-up update (read, merge, If-Match write; in memory) ${f.updateMsPerBlob.toFixed(2)} ms per blob, against ${((f.job.eventsPerBlob / 500_000) * 1000).toFixed(0)} ms to fold its ${f.job.eventsPerBlob} events at 500k events/s`,
  ];
}
